import { waitFor } from '@service-caller/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceManager } from '../../caller/src/index.js';
import { nacosRegistry } from '../src/index.js';
import {
  type NamedServer,
  ownPort,
  RUN_ID,
  recordingLogger,
  startNacos,
  startNamedServer,
  stopNacos,
} from './support.js';

/** Its own Nacos, which this test stops and starts again without disturbing the shared one. */
const nacos = { port: ownPort(2) };
const serverAddr = `127.0.0.1:${nacos.port}`;
/** The heartbeat interval Nacos asks for (r-nacos and Nacos 2 answer 5 s), which the config also names. */
const HEARTBEAT_MS = 5000;

// A server left over from an interrupted run may have other settings: start afresh, once for both
// API versions (each test stops it and starts it again; the next one finds it running).
beforeAll(async () => {
  await stopNacos(nacos);
  await startNacos(nacos);
});
afterAll(async () => {
  await stopNacos(nacos);
});

// gRPC (what `auto` picks on every server kind) and the HTTP v1 API with its heartbeats.
describe.each(['grpc', 'v1'] as const)(
  'Nacos stopped and restarted under a steady call loop, api-version %s',
  (apiVersion) => {
    const service = `outage-${apiVersion}-${RUN_ID}`;
    let server: NamedServer;
    let manager: ServiceManager;
    const { logger, lines } = recordingLogger();

    beforeAll(async () => {
      // Running already, unless the test before this one stopped in the middle of its outage.
      await startNacos(nacos);
      server = await startNamedServer('outage');
      // One process that is the service (it registers itself) and calls it through discovery.
      manager = await ServiceManager.create({
        config: {
          appRegistry: {
            nacos: {
              serverAddr,
              appName: service,
              ip: '127.0.0.1',
              port: server.port,
              heartbeatInterval: HEARTBEAT_MS / 1000,
              apiVersion,
            },
          },
        },
        logger,
      });
    });
    afterAll(async () => {
      await manager?.close();
      await server?.close();
    });

    it('serves every call from the cache while Nacos is down, and registers again after it is back', async () => {
      await waitFor(async () => (await manager.registry.getInstances(service)).length === 1, {
        timeout: 15_000,
        message: 'the service seeing itself',
      });
      let calls = 0;
      let failures = 0;
      const callOnce = async () => {
        calls++;
        try {
          await manager.get(service, '/ping');
        } catch {
          failures++;
        }
      };
      for (let i = 0; i < 10; i++) await callOnce();

      await stopNacos(nacos);
      // Calls go on while Nacos is gone: past several refreshes (5 s) and heartbeats.
      const downSince = performance.now();
      while (performance.now() - downSince < 2.5 * HEARTBEAT_MS && calls < 10_000) {
        await callOnce();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(failures).toBe(0);
      expect(calls).toBeGreaterThan(50);
      // One warning for the whole outage, however many refreshes and heartbeats failed.
      const warnings = lines.filter((l) => l.level === 'warn' && l.message.includes('[nacos]'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.message).toContain(serverAddr);

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
        await waitFor(
          async () => (await observer.getInstances(service)).some((i) => i.port === server.port),
          {
            timeout: 2 * HEARTBEAT_MS + 1000,
            interval: 50,
            message: 'the service registered again after the restart',
          },
        );
        console.info(
          `[nacos int] ${apiVersion}: registered again ${Math.round(performance.now() - upAt)} ms after Nacos answered`,
        );
        if (apiVersion === 'grpc') {
          // The subscription is back too: an instance registered now reaches the manager by push
          // (it polls nothing over gRPC).
          const other = await startNamedServer('outage-other');
          try {
            await observer.register({ serviceName: service, host: '127.0.0.1', port: other.port });
            await waitFor(() => manager.registry.getCachedInstances?.(service)?.length === 2, {
              timeout: 5000,
              interval: 20,
              message: 'the pushed list after the restart',
            });
            console.info(
              `[nacos int] grpc: subscription pushing again ${Math.round(performance.now() - upAt)} ms after Nacos answered`,
            );
            await observer.deregister({ serviceName: service, host: '127.0.0.1', port: other.port });
            // Heard before `other` closes, so that the calls below do not go to it.
            await waitFor(() => manager.registry.getCachedInstances?.(service)?.length === 1, {
              timeout: 5000,
              interval: 20,
              message: 'the deregistration pushed',
            });
          } finally {
            await other.close();
          }
        }
      } finally {
        await observer.close();
      }
      await waitFor(() => lines.some((l) => l.level === 'info' && l.message.includes('answers again')), {
        timeout: 15_000,
        message: 'one info line on recovery',
      });
      for (let i = 0; i < 10; i++) await callOnce();
      expect(failures).toBe(0);
    });
  },
);
