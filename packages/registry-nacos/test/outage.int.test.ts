import { waitFor } from '@service-caller/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceManager } from '../../caller/src/index.js';
import { nacosRegistry } from '../src/index.js';
import {
  type NamedServer,
  ownPort,
  RUN_ID,
  recordingLogger,
  selfRegistering,
  startNacos,
  startNamedServer,
  stopNacos,
} from './support.js';

/** Its own Nacos, which this test stops and starts again without disturbing the shared one. */
const nacos = { port: ownPort(2) };
const serverAddr = `127.0.0.1:${nacos.port}`;
/** The heartbeat interval Nacos asks for (r-nacos and Nacos 2 answer 5 s), which the config also names. */
const HEARTBEAT_MS = 5000;

// gRPC (what `auto` picks on every server kind) and the HTTP v1 API with its heartbeats, side by
// side through one outage: each side is a process of its own in effect (its own manager, service
// and log), so what one sees says nothing of the other.
const API_VERSIONS = ['grpc', 'v1'] as const;

interface Side {
  readonly apiVersion: (typeof API_VERSIONS)[number];
  readonly service: string;
  readonly lines: ReturnType<typeof recordingLogger>['lines'];
  readonly server: NamedServer;
  readonly manager: ServiceManager;
  calls: number;
  failures: number;
}

describe('Nacos stopped and restarted under a steady call loop, over gRPC and HTTP v1 at once', () => {
  const sides: Side[] = [];

  beforeAll(async () => {
    // A server left over from an interrupted run may have other settings: start afresh.
    await stopNacos(nacos);
    await startNacos(nacos);
    for (const apiVersion of API_VERSIONS) {
      const service = `outage-${apiVersion}-${RUN_ID}`;
      const { logger, lines } = recordingLogger();
      const server = await startNamedServer(`outage-${apiVersion}`);
      // One process that is the service (it registers itself) and calls it through discovery.
      const manager = await ServiceManager.create({
        config: selfRegistering(serverAddr, service, server.port, {
          heartbeatInterval: HEARTBEAT_MS / 1000,
          apiVersion,
        }),
        logger,
      });
      sides.push({ apiVersion, service, lines, server, manager, calls: 0, failures: 0 });
    }
  });
  afterAll(async () => {
    await Promise.all(sides.map((side) => side.manager.close()));
    await Promise.all(sides.map((side) => side.server.close()));
    await stopNacos(nacos);
  });

  const callOnce = async (side: Side) => {
    side.calls++;
    try {
      await side.manager.get(side.service, '/ping');
    } catch {
      side.failures++;
    }
  };
  const callEach = (times: number) =>
    Promise.all(
      sides.map(async (side) => {
        for (let i = 0; i < times; i++) await callOnce(side);
      }),
    );

  it('serves every call from the cache while Nacos is down, and each side registers again after it is back', async () => {
    for (const side of sides) {
      await waitFor(async () => (await side.manager.registry.getInstances(side.service)).length === 1, {
        timeout: 15_000,
        message: `the ${side.apiVersion} service seeing itself`,
      });
    }
    await callEach(10);

    await stopNacos(nacos);
    // Calls go on while Nacos is gone: past several refreshes (5 s) and heartbeats.
    const downSince = performance.now();
    while (performance.now() - downSince < 2.5 * HEARTBEAT_MS && sides[0]!.calls < 10_000) {
      await callEach(1);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const side of sides) {
      expect(side.failures, side.apiVersion).toBe(0);
      expect(side.calls, side.apiVersion).toBeGreaterThan(50);
      // One warning for the whole outage, however many refreshes and heartbeats failed.
      const warnings = side.lines.filter((l) => l.level === 'warn' && l.message.includes('[nacos]'));
      expect(warnings, side.apiVersion).toHaveLength(1);
      expect(warnings[0]!.message).toContain(serverAddr);
    }

    // A restarted Nacos starts empty; the next heartbeat (v1) or the reconnection (gRPC) re-creates
    // the instance, well within two heartbeat intervals (plus the observer's 200 ms refresh).
    await startNacos(nacos);
    const upAt = performance.now();
    const observer = nacosRegistry({
      serverAddr,
      apiVersion: 'v1',
      refreshInterval: 200,
      logger: recordingLogger().logger,
    });
    try {
      await Promise.all(
        sides.map(async (side) => {
          await waitFor(
            async () => (await observer.getInstances(side.service)).some((i) => i.port === side.server.port),
            {
              timeout: 2 * HEARTBEAT_MS + 1000,
              interval: 50,
              message: `the ${side.apiVersion} service registered again after the restart`,
            },
          );
          console.info(
            `[nacos int] ${side.apiVersion}: registered again ${Math.round(performance.now() - upAt)} ms after Nacos answered`,
          );
        }),
      );
      // The gRPC subscription is back too: an instance registered now reaches the manager by push
      // (it polls nothing over gRPC).
      const grpc = sides.find((side) => side.apiVersion === 'grpc')!;
      const other = await startNamedServer('outage-other');
      try {
        await observer.register({ serviceName: grpc.service, host: '127.0.0.1', port: other.port });
        await waitFor(() => grpc.manager.registry.getCachedInstances?.(grpc.service)?.length === 2, {
          timeout: 5000,
          interval: 20,
          message: 'the pushed list after the restart',
        });
        console.info(
          `[nacos int] grpc: subscription pushing again ${Math.round(performance.now() - upAt)} ms after Nacos answered`,
        );
        await observer.deregister({ serviceName: grpc.service, host: '127.0.0.1', port: other.port });
        // Heard before `other` closes, so that the calls below do not go to it.
        await waitFor(() => grpc.manager.registry.getCachedInstances?.(grpc.service)?.length === 1, {
          timeout: 5000,
          interval: 20,
          message: 'the deregistration pushed',
        });
      } finally {
        await other.close();
      }
    } finally {
      await observer.close();
    }
    for (const side of sides) {
      await waitFor(() => side.lines.some((l) => l.level === 'info' && l.message.includes('answers again')), {
        timeout: 15_000,
        message: `one info line on recovery (${side.apiVersion})`,
      });
    }
    await callEach(10);
    for (const side of sides) expect(side.failures, side.apiVersion).toBe(0);
  });
});
