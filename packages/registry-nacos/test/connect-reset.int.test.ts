import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@service-caller/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceManager } from '../../caller/src/index.js';
import { nacosRegistry } from '../src/index.js';
import {
  listedPorts,
  NACOS_ADDR,
  NACOS_SERVER,
  type NamedServer,
  ownPort,
  RUN_ID,
  recordingLogger,
  selfRegistering,
  startCallLoop,
  startNacos,
  startNamedServer,
  stopNacos,
} from './support.js';

/**
 * `ConnectResetRequest` sent by a real server: the official servers' loader API sends it to one
 * connection, by id (`ServerLoaderController.reloadSingle`, then `ConnectionManager.loadSingle`),
 * with a redirect address if one is given, and waits up to 3 s for the client's answer. Only
 * an official server can be made to send it: r-nacos 0.8.8 defines the request
 * (`BiStreamSenderCmd::Reset` in src/grpc/bistream_conn.rs) but nothing sends it (its one
 * sender, in bistream_manage.rs, is commented out) and it has no loader API; the last test
 * checks that.
 */

/** The loader API of each official server kind: 2.x under /v2/core, 3.x under /v3/admin/core. */
const LOADER =
  NACOS_SERVER === 'nacos-2.5.1'
    ? { base: '/nacos/v2/core/loader', resetMethod: 'GET', envelope: false }
    : { base: '/nacos/v3/admin/core/loader', resetMethod: 'POST', envelope: true };

/** The connection ids a server holds (`GET <loader>/current`: a map keyed by connection id). */
async function connectionIds(port: number): Promise<string[]> {
  const res = await fetch(`http://127.0.0.1:${port}${LOADER.base}/current`, {
    signal: AbortSignal.timeout(10_000),
  });
  expect(res.status, `${LOADER.base}/current on ${port}`).toBe(200);
  const body = (await res.json()) as Record<string, unknown> & { data?: Record<string, unknown> };
  return Object.keys((LOADER.envelope ? body.data : body) ?? {});
}

/** Asks the server on `port` to send `ConnectResetRequest` to one connection. */
async function resetConnection(port: number, connectionId: string, redirectAddress?: string): Promise<void> {
  const query = new URLSearchParams({ connectionId });
  if (redirectAddress !== undefined) query.set('redirectAddress', redirectAddress);
  const res = await fetch(`http://127.0.0.1:${port}${LOADER.base}/reloadClient?${query}`, {
    method: LOADER.resetMethod,
    signal: AbortSignal.timeout(10_000),
  });
  expect(res.status, `${LOADER.base}/reloadClient on ${port}: ${await res.text()}`).toBe(200);
}

/** The last connection the client logged: `gRPC connected to <host:grpcPort> (connection <id>)`. */
function lastConnection(lines: readonly { message: string }[]): { httpPort: number; id: string } | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const match = /gRPC connected to 127\.0\.0\.1:(\d+) \(connection (\S+)\)/.exec(lines[i]!.message);
    if (match !== null) return { httpPort: Number(match[1]) - 1000, id: match[2]! };
  }
  return undefined;
}

/** The log folder of an official server that scripts/nacos.sh started on `port`. */
function serverLogDir(port: number): string {
  const cache = process.env.SC_CACHE_DIR ?? join(homedir(), '.cache', 'service-caller');
  return join(process.env.NACOS_RUN_ROOT ?? join(cache, 'nacos-run'), String(port), 'home', 'logs');
}

const official = NACOS_SERVER !== 'rnacos';

// One describe or the other, so that no test is reported skipped on any server kind.
if (official)
  describe(`ConnectResetRequest from a real ${NACOS_SERVER}`, () => {
    // Servers of their own (not clustered): the reset is sent by one, the redirect names another.
    const a = { port: ownPort(8) };
    const b = { port: ownPort(9) };
    const c = { port: ownPort(11) };
    let upstream: NamedServer;
    let extra: NamedServer;

    beforeAll(async () => {
      // A server left over from an interrupted run may have other settings: start afresh.
      await Promise.all([stopNacos(a), stopNacos(b), stopNacos(c)]);
      // Side by side, as scripts/nacos.sh allows (its own folder and ports each; an official server
      // that gives up at start is started once more): CI waits for the slowest, not the sum.
      await Promise.all([startNacos(a), startNacos(b), startNacos(c)]);
      upstream = await startNamedServer('reset');
      extra = await startNamedServer('reset-extra');
    });
    afterAll(async () => {
      await upstream?.close();
      await extra?.close();
      await Promise.all([stopNacos(a), stopNacos(b), stopNacos(c)]);
    });

    /**
     * One process that is the service (it registers itself over gRPC) and calls itself through
     * discovery in a steady loop; the server it is connected to sends it `ConnectResetRequest`
     * (with `redirect`, naming another member as the redirect address). Checks: the client
     * answered (the server logged no failed reset), it connected again (to the redirect address,
     * else to the same server), its registration is listed there, its subscription hears a push
     * there, and no call failed.
     */
    async function resetUnderCallLoop(service: string, members: readonly number[], redirect: boolean) {
      const serverAddr = members.map((port) => `127.0.0.1:${port}`).join(',');
      const { logger, lines } = recordingLogger();
      const manager = await ServiceManager.create({
        config: selfRegistering(serverAddr, service, upstream.port, { apiVersion: 'grpc' }),
        logger,
      });
      try {
        await waitFor(async () => (await manager.registry.getInstances(service)).length === 1, {
          timeout: 15_000,
          message: 'the service seeing itself',
        });
        const before = lastConnection(lines);
        expect(before, 'the connection logged').toBeDefined();
        // The id the client logged is the one the server gave it (ServerCheckResponse).
        expect(await connectionIds(before!.httpPort)).toContain(before!.id);

        const loop = startCallLoop(manager, [service], { maxCalls: 5000, maxMs: 120_000, path: '/ping' });
        // The client starts at a random member, and after a lost connection tries the servers in
        // turn from the one after it: the redirect names the one before it, the last of that
        // turn, so that landing there shows the redirect was followed.
        const at = members.indexOf(before!.httpPort);
        const target = redirect ? members[(at + members.length - 1) % members.length]! : before!.httpPort;
        const sentAt = performance.now();
        await resetConnection(before!.httpPort, before!.id, redirect ? `127.0.0.1:${target}` : undefined);
        await waitFor(() => lastConnection(lines)?.id !== before!.id, {
          timeout: 10_000,
          interval: 20,
          message: 'a new connection after the reset',
        });
        const after = lastConnection(lines)!;
        console.info(
          `[nacos int] ${NACOS_SERVER}: reconnected to ${after.httpPort} ${Math.round(performance.now() - sentAt)} ms after the reset was asked for`,
        );
        expect(after.httpPort).toBe(target);
        // The old connection is gone from the server that reset it, the new one is held by the target.
        await waitFor(async () => !(await connectionIds(before!.httpPort)).includes(before!.id), {
          timeout: 10_000,
          message: 'the old connection closed',
        });
        expect(await connectionIds(target)).toContain(after.id);
        // The registration is redone on the new connection.
        await waitFor(async () => (await listedPorts(target, service)).includes(upstream.port), {
          timeout: 10_000,
          message: `the service registered again at ${target}`,
        });
        if (redirect) {
          // ... and the server it left dropped it with the old connection.
          await waitFor(async () => !(await listedPorts(before!.httpPort, service)).includes(upstream.port), {
            timeout: 10_000,
            message: `the service gone from ${before!.httpPort}`,
          });
        }
        // The subscription is redone: an instance registered at the target now reaches the manager
        // by push (nothing is polled over gRPC).
        const observer = nacosRegistry({
          serverAddr: `127.0.0.1:${target}`,
          apiVersion: 'v1',
          logger: recordingLogger().logger,
        });
        try {
          await observer.register({ serviceName: service, host: '127.0.0.1', port: extra.port });
          await waitFor(() => manager.registry.getCachedInstances?.(service)?.length === 2, {
            timeout: 10_000,
            interval: 20,
            message: 'the pushed list after the reset',
          });
          await observer.deregister({ serviceName: service, host: '127.0.0.1', port: extra.port });
          await waitFor(() => manager.registry.getCachedInstances?.(service)?.length === 1, {
            timeout: 10_000,
            interval: 20,
            message: 'the deregistration pushed',
          });
        } finally {
          await observer.close();
        }
        await loop.stop();
        expect(loop.errors).toEqual([]);
        expect(loop.failures).toBe(0);
        expect(loop.calls).toBeGreaterThan(20);
        // The server waits up to 3 s for the client's ConnectResetResponse and logs a failure
        // ("error occurs when expel connection") if none came.
        const log = await readFile(
          join(serverLogDir(before!.httpPort), 'plugin-control-connection.log'),
          'utf8',
        ).catch(() => '');
        expect(log).not.toMatch(
          new RegExp(`expel connection.*${before!.id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
        );
        return { calls: loop.calls };
      } finally {
        await manager.close();
      }
    }

    it('reconnects to the same server, registers and subscribes again, and loses no call', async () => {
      const { calls } = await resetUnderCallLoop(`reset-same-${RUN_ID}`, [a.port], false);
      console.info(`[nacos int] ${NACOS_SERVER}: reset without a redirect: ${calls} calls, 0 failed`);
    });

    it('follows the redirect address to another server of server-addr, and loses no call', async () => {
      const { calls } = await resetUnderCallLoop(`reset-redirect-${RUN_ID}`, [a.port, b.port, c.port], true);
      console.info(`[nacos int] ${NACOS_SERVER}: reset with a redirect: ${calls} calls, 0 failed`);
    });
  });
else
  describe(`ConnectResetRequest and ${NACOS_SERVER}`, () => {
    it('cannot be provoked: r-nacos has no loader API (the official servers send the reset from it)', async () => {
      for (const path of ['/nacos/v2/core/loader/current', '/nacos/v3/admin/core/loader/current']) {
        const res = await fetch(`http://${NACOS_ADDR}${path}`, { signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer();
        expect(res.status, path).toBe(404);
      }
    });
  });
