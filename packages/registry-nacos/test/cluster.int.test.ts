import type { ServiceRegistry } from '@service-caller/core';
import { waitFor } from '@service-caller/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceManager } from '../../caller/src/index.js';
import { builtInApi, httpFor } from '../src/built-in-api.js';
import type { NacosHttp } from '../src/nacos-http.js';
import { NacosRegistry } from '../src/nacos-registry.js';
import { normalizeOptions } from '../src/options.js';
import {
  NACOS_SERVER,
  type NamedServer,
  nacosCluster,
  ownPort,
  RUN_ID,
  recordingLogger,
  selfRegistering,
  startCallLoop,
  startNamedServer,
} from './support.js';

/**
 * A 3-member cluster of the server under test (scripts/nacos-cluster.sh: r-nacos by Raft, the
 * official 3.0.3 and 2.5.1 with embedded storage and the naming module), three services
 * registered through it, and a caller with every member in `server-addr`. Member 1 is SIGKILLed
 * under a steady call loop, then started again.
 */
const cluster = nacosCluster(ownPort(5));
const SERVICES = ['alpha', 'beta', 'gamma'].map((s) => `cluster-${s}-${RUN_ID}`);
/** Past Nacos' 30 s deletion of an instance that stopped beating: what survives that, stays. */
const KILLED_FOR_MS = 35_000;
const REFRESH_MS = 500;

function registryWithStats(serverAddr: string, logger = recordingLogger().logger) {
  // HTTP v1: this test counts the HTTP requests each member answered (gRPC's side is the next test).
  const options = normalizeOptions({ serverAddr, apiVersion: 'v1', refreshInterval: REFRESH_MS, logger });
  const http = httpFor(options);
  return { registry: new NacosRegistry(options, builtInApi(options, http)), http };
}

describe(`a 3-member ${NACOS_SERVER} cluster, one member SIGKILLed under a steady call loop`, () => {
  const servers: NamedServer[] = [];
  const managers: ServiceManager[] = [];
  const registries: ServiceRegistry[] = [];
  let caller: ServiceManager;
  let callerHttp: NacosHttp;
  const { logger: callerLogger, lines: callerLines } = recordingLogger();

  /** Serves `service` on a port of its own and registers it through the cluster (closed in afterAll). */
  const serveAndRegister = async (service: string, apiVersion: 'v1' | 'grpc') => {
    const server = await startNamedServer(service);
    servers.push(server);
    const manager = await ServiceManager.create({
      config: selfRegistering(cluster.serverAddr, service, server.port, { apiVersion }),
      logger: recordingLogger().logger,
    });
    managers.push(manager);
    return manager;
  };

  beforeAll(async () => {
    await cluster.stop();
    const startedAt = performance.now();
    await cluster.start();
    console.info(
      `[nacos int] ${NACOS_SERVER} cluster ready in ${Math.round(performance.now() - startedAt)} ms`,
    );
    for (const service of SERVICES) await serveAndRegister(service, 'v1');
    const { registry, http } = registryWithStats(cluster.serverAddr, callerLogger);
    callerHttp = http;
    caller = await ServiceManager.create({ config: {}, registry, logger: callerLogger });
  }, 400_000);
  afterAll(async () => {
    await caller?.close();
    await Promise.all(managers.map((m) => m.close()));
    await Promise.all(registries.map((r) => r.close()));
    await Promise.all(servers.map((s) => s.close()));
    await cluster.stop();
  }, 120_000);

  /** What one member lists for each service, asked of that member alone (refreshed every 500 ms). */
  const memberRegistries = new Map<number, ServiceRegistry>();
  const listedBy = async (port: number, services: readonly string[] = SERVICES) => {
    let registry = memberRegistries.get(port);
    if (registry === undefined) {
      registry = registryWithStats(`127.0.0.1:${port}`).registry;
      memberRegistries.set(port, registry);
      registries.push(registry);
    }
    const member = registry;
    return Promise.all(services.map(async (s) => (await member.getInstances(s)).length));
  };
  /** Waits until member `port` lists one instance of each service; says what it listed if not. */
  const allListedBy = async (port: number, timeout: number, services: readonly string[] = SERVICES) => {
    let last: unknown;
    try {
      await waitFor(
        async () => {
          last = await listedBy(port, services);
          return (last as number[]).every((n) => n === 1);
        },
        { timeout, interval: 500, message: `member ${port} listing one instance of each service` },
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}; it last listed ${JSON.stringify(last)}`, {
        cause: error,
      });
    }
  };

  // Bounded by its own waits (listings, 35 s with a member dead, the restart), which add up past
  // vitest's default on a loaded 2-core machine: the test gets a bound of its own.
  it('loses no call, keeps every registration, fails over, and uses the member again once back', async () => {
    const [first, second, third] = cluster.members as [number, number, number];
    const origin = (port: number) => `http://127.0.0.1:${port}`;
    for (const port of cluster.members) await allListedBy(port, 60_000);
    await waitFor(
      async () =>
        (await Promise.all(SERVICES.map((s) => caller.registry.getInstances(s)))).every(
          (l) => l.length === 1,
        ),
      { timeout: 30_000, message: 'the caller seeing all three services' },
    );

    const loop = startCallLoop(caller, SERVICES, { maxCalls: 100_000, maxMs: KILLED_FOR_MS + 300_000 });
    await waitFor(() => loop.calls > 100, { timeout: 10_000, message: 'the call loop running' });
    const answersBefore = { ...callerHttp.stats.answers };
    expect(answersBefore[origin(first)]).toBeGreaterThan(0);
    await cluster.kill(1);
    const killedAt = performance.now();
    // Both survivors answer the caller's refreshes, member 1 no more.
    await waitFor(
      () =>
        (callerHttp.stats.answers[origin(second)] ?? 0) > (answersBefore[origin(second)] ?? 0) &&
        (callerHttp.stats.answers[origin(third)] ?? 0) > (answersBefore[origin(third)] ?? 0),
      { timeout: 10_000, interval: 20, message: 'both surviving members answering' },
    );
    const answersOfDead = callerHttp.stats.answers[origin(first)] ?? 0;

    // Calls go on past the time an instance without heartbeats is deleted.
    await waitFor(() => performance.now() - killedAt >= KILLED_FOR_MS, {
      timeout: KILLED_FOR_MS + 5_000,
      interval: 500,
      message: 'the call loop running with member 1 dead',
    });
    expect(loop.failures, loop.errors.join('\n')).toBe(0);
    expect(callerHttp.stats.answers[origin(first)] ?? 0).toBe(answersOfDead);
    // Requests did meet the dead member, and went on to the next one.
    expect(callerHttp.stats.unreachable[origin(first)]).toBeGreaterThan(0);
    // Registrations stay: every service is still listed by each surviving member.
    expect(await listedBy(second)).toEqual([1, 1, 1]);
    expect(await listedBy(third)).toEqual([1, 1, 1]);

    // A fresh view of member 1 once it is back: the old one remembers what it listed before.
    await memberRegistries.get(first)?.close();
    memberRegistries.delete(first);
    const restartedAt = performance.now();
    await cluster.startMember(1);
    const upAt = performance.now();
    // The member that came back is used again: by the caller, and it lists every service.
    await waitFor(() => (callerHttp.stats.answers[origin(first)] ?? 0) > answersOfDead, {
      timeout: 60_000,
      interval: 100,
      message: 'member 1 answering the caller again',
    });
    const usedAgainMs = performance.now() - upAt;
    await allListedBy(first, 60_000);
    const relistedMs = performance.now() - upAt;
    await loop.stop();
    expect(loop.failures, loop.errors.join('\n')).toBe(0);
    expect(callerLines.filter((l) => l.level === 'error')).toEqual([]);
    console.info(
      `[nacos int] ${NACOS_SERVER} cluster: ${loop.calls} calls, ${loop.failures} failed; ${callerHttp.stats.unreachable[origin(first)]} registry requests met the dead member, the longest answered ${callerHttp.stats.maxFailOverMs.toFixed(1)} ms after it started; ` +
        `member 1 restarted in ${Math.round(upAt - restartedAt)} ms, used again ${Math.round(usedAgainMs)} ms and listing all ${Math.round(relistedMs)} ms after it answered`,
    );
  }, 480_000);

  it('over gRPC: the member a client is connected to SIGKILLed, it reconnects to another, registers there again, and no call fails', async () => {
    const services = ['alpha', 'beta', 'gamma'].map((s) => `cluster-grpc-${s}-${RUN_ID}`);
    const grpcManagers: ServiceManager[] = [];
    if (NACOS_SERVER === 'rnacos') {
      // An r-nacos member restarted by the test above (empty, rejoined through another member) was
      // once never given the registrations its peers took afterwards (it listed [0,1,0] for 60 s
      // in CI): this test starts from a fresh cluster there. The official members get them (Distro).
      await cluster.stop();
      await cluster.start();
    } else {
      // A member the test above left dead (had it failed before restarting it) is started again:
      // this test stands on its own (a running member answers "already running" at once).
      for (let n = 1; n <= cluster.members.length; n++) await cluster.startMember(n);
    }
    for (const service of services) grpcManagers.push(await serveAndRegister(service, 'grpc'));
    const { logger, lines } = recordingLogger();
    const options = normalizeOptions({ serverAddr: cluster.serverAddr, apiVersion: 'grpc', logger });
    const registry = new NacosRegistry(options, builtInApi(options));
    const grpcCaller = await ServiceManager.create({ config: {}, registry, logger });
    try {
      for (const port of cluster.members) await allListedBy(port, 60_000, services);
      await waitFor(
        async () =>
          (await Promise.all(services.map((s) => grpcCaller.registry.getInstances(s)))).every(
            (l) => l.length === 1,
          ),
        { timeout: 30_000, message: 'the gRPC caller seeing all three services' },
      );
      // The member to kill: the caller's own (and, with the others spread at random, some registrations').
      const memberOf = (address: string | undefined) =>
        cluster.members.findIndex((p) => address?.endsWith(`:${p + options.grpcPortOffset}`)) + 1;
      const victim = memberOf(registry.connectedTo);
      expect(victim).toBeGreaterThan(0);
      const onVictim = grpcManagers.filter(
        (m) => memberOf((m.registry as NacosRegistry).connectedTo) === victim,
      ).length;

      const loop = startCallLoop(grpcCaller, services, { maxCalls: 50_000, maxMs: 120_000 });
      await waitFor(() => loop.calls > 100, { timeout: 10_000, message: 'the call loop running' });
      await cluster.kill(victim);
      const killedAt = performance.now();
      await waitFor(() => memberOf(registry.connectedTo) > 0 && memberOf(registry.connectedTo) !== victim, {
        timeout: 10_000,
        interval: 20,
        message: 'the caller connected to another member',
      });
      const reconnectedMs = performance.now() - killedAt;
      for (const manager of grpcManagers) {
        await waitFor(
          () => {
            const member = memberOf((manager.registry as NacosRegistry).connectedTo);
            return member > 0 && member !== victim;
          },
          { timeout: 10_000, interval: 20, message: 'every registering client on a surviving member' },
        );
      }
      const survivors = cluster.members.filter((_, i) => i + 1 !== victim);
      for (const port of survivors) await allListedBy(port, 30_000, services);
      const relistedMs = performance.now() - killedAt;
      // Calls go on a while longer with the member dead.
      await waitFor(() => performance.now() - killedAt >= 10_000, {
        timeout: 15_000,
        interval: 200,
        message: '10 s of calls',
      });
      await loop.stop();
      expect(loop.failures, loop.errors.join('\n')).toBe(0);
      expect(lines.filter((l) => l.level === 'error')).toEqual([]);
      console.info(
        `[nacos int] ${NACOS_SERVER} cluster over gRPC: member ${victim} killed (the caller's and ${onVictim} registering clients'); ${loop.calls} calls, ${loop.failures} failed; reconnected after ${Math.round(reconnectedMs)} ms, every service listed by both survivors ${Math.round(relistedMs)} ms after the kill`,
      );
    } finally {
      await grpcCaller.close();
    }
  }, 300_000);
});
