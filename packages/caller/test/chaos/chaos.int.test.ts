import { afterEach, describe, expect, it } from 'vitest';
import {
  type CallAttempt,
  ConnectionError,
  type EjectionEvent,
  HttpStatusError,
  type RequestContext,
  type ServiceCallerConfigInput,
  type ServiceInterceptor,
  ServiceManager,
  TimeoutError,
} from '../../src/index.js';
import { RecordingLogger } from '../support/recording-logger.js';
import { runLoad, startUpstream, type UpstreamProcess } from './processes.js';

/*
 * #11's chaos tests: real upstream processes on 127.0.0.1, killed with SIGKILL under load; every
 * load bounded in count and time; assertions on counts, never on timings.
 */

const managers: ServiceManager[] = [];
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

type Settings = NonNullable<ServiceCallerConfigInput['serviceCaller']>;

async function managerFor(
  instances: ReadonlyArray<{ port: number; zone?: string }>,
  settings: Settings = {},
  interceptors: ServiceInterceptor[] = [],
): Promise<ServiceManager> {
  const manager = await ServiceManager.create({
    config: {
      serviceCaller: settings,
      appRegistry: {
        static: {
          services: {
            svc: instances.map(({ port, zone }) => ({
              host: '127.0.0.1',
              port,
              ...(zone === undefined ? {} : { metadata: { zone } }),
            })),
          },
        },
      },
    },
    interceptors,
    logger: new RecordingLogger(),
  });
  managers.push(manager);
  return manager;
}

/** Watches every call and attempt on the caller's side. */
function observer() {
  const attempts: Array<{ port: number; startedAt: number; attempt: CallAttempt }> = [];
  const ejections: Array<{ event: EjectionEvent; at: number }> = [];
  const calls: RequestContext[] = [];
  let stages = 0;
  const interceptor: ServiceInterceptor = {
    name: 'observer',
    beforeRequest: (ctx) => {
      calls.push(ctx);
      stages++;
    },
    beforeAttempt: (_ctx, attempt) => {
      attempts.push({ port: attempt.instance.port, startedAt: performance.now(), attempt });
    },
    onEjection: (event) => void ejections.push({ event, at: performance.now() }),
  };
  return { interceptor, attempts, ejections, calls, stages: () => stages };
}

const ports = (...processes: UpstreamProcess[]) =>
  processes.flatMap((p) => p.ports.map((port) => ({ port })));

/** Three upstream processes of one healthy server each, and a manager over them that an {@link observer} watches. */
async function threeWatchedUpstreams() {
  const upstreams: UpstreamProcess[] = [];
  // One after the other: three processes starting at once on a loaded machine only start slower.
  for (let i = 0; i < 3; i++) upstreams.push(await startUpstream([{ behaviour: 'ok' }]));
  const watch = observer();
  const manager = await managerFor(ports(...upstreams), {}, [watch.interceptor]);
  return { upstreams, watch, manager };
}

describe('an upstream process killed with SIGKILL under load', () => {
  it('5,000 GETs at 32 in flight: 0 failed, and no attempt reaches the killed instance after its ejection', async () => {
    const { upstreams, watch, manager } = await threeWatchedUpstreams();
    const victim = upstreams[1]!;
    const killedPort = victim.ports[0]!;
    let killedAt = Number.POSITIVE_INFINITY;
    const result = await runLoad({
      calls: 5_000,
      concurrency: 32,
      call: () => manager.get('svc', '/hello'),
      onCall: async (n) => {
        if (n === 1_666) {
          killedAt = performance.now();
          await victim.kill();
        }
      },
    });
    expect(result.calls).toBe(5_000);
    expect(result.failed, String(result.errors[0])).toBe(0);
    const ejected = watch.ejections.find(
      (e) => e.event.type === 'ejected' && e.event.instance.port === killedPort,
    );
    expect(ejected, 'the killed instance was ejected').toBeDefined();
    expect(ejected!.at).toBeGreaterThanOrEqual(killedAt);
    const after = watch.attempts.filter((a) => a.port === killedPort && a.startedAt > ejected!.at);
    expect(after).toHaveLength(0);
    // The per-attempt hook once per attempt, the call's stages once per call.
    const made = watch.calls.reduce((sum, ctx) => sum + ctx.attempts.length, 0);
    expect(watch.attempts).toHaveLength(made);
    expect(watch.stages()).toBe(5_000);
    const counts = await Promise.all([upstreams[0]!.stats(), upstreams[2]!.stats()]);
    console.info(
      `[chaos] SIGKILL: ${made} attempts for 5000 calls; ${watch.attempts.filter((a) => a.port === killedPort).length} on the killed instance (${after.length} after its ejection); survivors served ${counts.map((c) => c[0]!.requests).join(' + ')}`,
    );
  });
});

describe('an instance that answers 503 to half its calls', () => {
  it('fails no GET, and sends each POST once unless the call opts in to retrying it', async () => {
    const upstream = await startUpstream([
      { behaviour: 'ok' },
      { behaviour: 'half-503' },
      { behaviour: 'ok' },
    ]);
    const manager = await managerFor(ports(upstream), { outlierEjection: { enabled: false } });
    const gets = await runLoad({ calls: 600, concurrency: 16, call: () => manager.get('svc', '/x') });
    expect(gets.failed, String(gets.errors[0])).toBe(0);

    const before = await upstream.stats();
    const posts = await runLoad({
      calls: 300,
      concurrency: 16,
      call: () => manager.post('svc', '/orders', { json: {} }),
    });
    const afterPosts = await upstream.stats();
    const received = (stats: typeof before) => stats.reduce((sum, s) => sum + (s.byMethod.POST ?? 0), 0);
    // Each POST reached an upstream exactly once; those that met a 503 failed with it.
    expect(received(afterPosts) - received(before)).toBe(300);
    expect(posts.failed).toBeGreaterThan(0);
    expect(posts.errors.every((e) => e instanceof HttpStatusError && e.status === 503)).toBe(true);

    const optedIn = await runLoad({
      calls: 300,
      concurrency: 16,
      call: () => manager.post('svc', '/orders', { json: {}, retry: { methods: ['POST'] } }),
    });
    expect(optedIn.failed, String(optedIn.errors[0])).toBe(0);
    expect(received(await upstream.stats()) - received(afterPosts)).toBeGreaterThan(300);
  });
});

describe('an instance that stalls (accepts, never answers)', () => {
  it('costs each call one per-try timeout and its next attempt: none fails, none hangs', async () => {
    const upstream = await startUpstream([{ behaviour: 'stall' }, { behaviour: 'ok' }, { behaviour: 'ok' }]);
    const stalledPort = upstream.ports[0]!;
    const watch = observer();
    // Ejection and the budget off: every third call meets the stalled instance (not only the
    // first five) and is retried (a third of the calls is more than the budget's share).
    const manager = await managerFor(
      ports(upstream),
      { perTryTimeout: 0.2, outlierEjection: { enabled: false }, retryBudget: { enabled: false } },
      [watch.interceptor],
    );
    const result = await runLoad({
      calls: 90,
      concurrency: 6,
      // A generous total bound: a call that hung would fail with it.
      call: () => manager.get('svc', '/x', { timeout: 10_000 }),
    });
    expect(result.failed, String(result.errors[0])).toBe(0);
    const touched = watch.calls.filter((ctx) => ctx.attempts.some((a) => a.instance.port === stalledPort));
    expect(touched.length).toBeGreaterThanOrEqual(20);
    for (const ctx of touched) {
      const [first, second] = ctx.attempts;
      expect(ctx.attempts).toHaveLength(2);
      expect(first!.instance.port).toBe(stalledPort);
      expect(first!.error).toBeInstanceOf(TimeoutError);
      expect((first!.error as TimeoutError).phase).toBe('attempt');
      expect((first!.error as TimeoutError).timeoutMs).toBe(200);
      expect(second!.status).toBe(200);
    }
    // Every request the stalled instance received was given up by the caller, none left open.
    const [stalled] = await upstream.stats();
    expect(stalled!.aborted).toBe(stalled!.requests);
  });
});

describe('a full outage', () => {
  it('fails every call with a typed error, and the retry budget keeps attempts below 1.3 x calls', async () => {
    const { upstreams, watch, manager } = await threeWatchedUpstreams();
    for (const upstream of upstreams) await upstream.kill();
    const result = await runLoad({ calls: 2_000, concurrency: 32, call: () => manager.get('svc', '/x') });
    expect(result.calls).toBe(2_000);
    expect(result.failed).toBe(2_000);
    expect(result.errors.every((e) => e instanceof ConnectionError)).toBe(true);
    expect(watch.attempts.length).toBeLessThan(1.3 * 2_000);
    const service = manager.snapshot().services[0]!;
    expect(service.retriesRefused).toBeGreaterThan(0);
    console.info(
      `[chaos] full outage: ${watch.attempts.length} attempts for 2000 calls (${service.retries} retries, ${service.retriesRefused} refused by the budget)`,
    );
  });
});

describe('load-aware balancers with one instance ten times slower (separate processes)', () => {
  it.each(['round_robin', 'least_request', 'peak_ewma'] as const)('%s', async (lbType) => {
    const upstream = await startUpstream([
      { behaviour: 'slow:2' },
      { behaviour: 'slow:2' },
      { behaviour: 'slow:20' },
    ]);
    const manager = await managerFor(ports(upstream), { lbType });
    const result = await runLoad({ calls: 1_500, concurrency: 32, call: () => manager.get('svc', '/x') });
    expect(result.failed).toBe(0);
    const counts = (await upstream.stats()).map((s) => s.requests);
    const slowShare = counts[2]! / counts.reduce((a, b) => a + b, 0);
    console.info(
      `[chaos] ${lbType}: the 10x slower instance got ${(slowShare * 100).toFixed(1)}% of ${counts.join('/')}`,
    );
    if (lbType === 'round_robin') expect(slowShare).toBeCloseTo(1 / 3, 1);
    else expect(slowShare).toBeLessThan(0.15);
  });
});

describe('consistent_hash', () => {
  it('sends a key to one instance while the list holds, and moves at most 15% of the keys when one of 10 leaves', async () => {
    const upstream = await startUpstream(Array.from({ length: 10 }, () => ({ behaviour: 'ok' as const })));
    const manager = await managerFor(ports(upstream), {
      lbType: 'consistent_hash',
      consistentHash: { header: 'x-user' },
    });
    const keys = Array.from({ length: 400 }, (_, i) => `user-${i}`);
    const where = async () => {
      const seen: number[] = [];
      for (const key of keys) {
        seen.push(
          ((await manager.get('svc', '/x', { headers: { 'x-user': key } })) as { instance: number }).instance,
        );
      }
      return seen;
    };
    const first = await where();
    expect(await where()).toEqual(first);
    const registry = manager.registry as unknown as { setInstances(name: string, list: unknown[]): void };
    registry.setInstances(
      'svc',
      upstream.ports.filter((_, i) => i !== 3).map((port) => ({ host: '127.0.0.1', port })),
    );
    const after = await where();
    const moved = keys.filter((_, i) => after[i] !== first[i]).length;
    expect(moved / keys.length).toBeLessThanOrEqual(0.15);
    expect(keys.every((_, i) => after[i] === first[i] || first[i] === 3)).toBe(true);
  });
});

describe('zone affinity with two zones', () => {
  it('keeps >= 95% of calls in the zone while it has healthy instances, then moves out with 0 failed calls', async () => {
    const a1 = await startUpstream([{ behaviour: 'ok', zone: 'a' }]);
    const a2 = await startUpstream([{ behaviour: 'ok', zone: 'a' }]);
    const b = await startUpstream([
      { behaviour: 'ok', zone: 'b' },
      { behaviour: 'ok', zone: 'b' },
    ]);
    const instances = [
      { port: a1.ports[0]!, zone: 'a' },
      { port: a2.ports[0]!, zone: 'a' },
      ...b.ports.map((port) => ({ port, zone: 'b' })),
    ];
    const manager = await managerFor(instances, { zoneAffinity: { zone: 'a' } });
    const zoneOf = async () => ((await manager.get('svc', '/x')) as { zone: string }).zone;
    const zones: string[] = [];
    const steady = await runLoad({
      calls: 1_000,
      concurrency: 16,
      call: async () => zones.push(await zoneOf()),
    });
    expect(steady.failed).toBe(0);
    expect(zones.filter((z) => z === 'a').length / zones.length).toBeGreaterThanOrEqual(0.95);

    const later: string[] = [];
    const dying = await runLoad({
      calls: 1_000,
      concurrency: 16,
      call: async () => later.push(await zoneOf()),
      onCall: async (n) => {
        if (n === 100) await Promise.all([a1.kill(), a2.kill()]);
      },
    });
    expect(dying.failed, String(dying.errors[0])).toBe(0);
    expect(later.slice(-500).every((z) => z === 'b')).toBe(true);
  });
});

describe('hedging', () => {
  it('aborts the slower attempt and returns the faster answer', async () => {
    const upstream = await startUpstream([
      { behaviour: 'stall-some:300:10' },
      { behaviour: 'ok' },
      { behaviour: 'ok' },
    ]);
    const watch = observer();
    const manager = await managerFor(ports(upstream), { hedgeDelay: 0.05 }, [watch.interceptor]);
    const result = await runLoad({ calls: 300, concurrency: 8, call: () => manager.get('svc', '/x') });
    expect(result.failed).toBe(0);
    const hedged = watch.calls.filter((ctx) => ctx.attempts.some((a) => a.kind === 'hedge'));
    expect(hedged.length).toBeGreaterThan(0);
    for (const ctx of hedged) {
      const winner = ctx.attempts.find((a) => a.status === 200)!;
      expect(ctx.selectedInstance).toBe(winner.instance);
      const losers = ctx.attempts.filter((a) => a !== winner);
      expect(losers.every((a) => (a.error as { code?: string })?.code === 'SC_ERR_ATTEMPT_CANCELLED')).toBe(
        true,
      );
    }
    const [slow] = await upstream.stats();
    expect(slow!.aborted).toBeGreaterThan(0);
  });
});
