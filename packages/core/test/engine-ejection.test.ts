import { describe, expect, it } from 'vitest';
import { waitFor } from '../../testkit/src/wait.js';
import { ConnectionError, type EjectionEvent, type ServiceInterceptor } from '../src/index.js';
import { rejection } from './support/engine-fixture.js';
import { nodeHttpTransport } from './support/node-http-transport.js';
import { recordingLogger } from './support/recording.js';
import { reply } from './support/test-server.js';
import { engineHarness, ok, startUpstreams } from './support/upstreams.js';

const harness = engineHarness();

function listener() {
  const events: EjectionEvent[] = [];
  const interceptor: ServiceInterceptor = {
    name: 'ejections',
    onEjection: (event) => void events.push(event),
  };
  return { events, interceptor };
}

/** How many requests the transport sent to `port`. */
function sentTo(transport: ReturnType<typeof nodeHttpTransport>, port: number): number {
  return transport.sent.filter((request) => request.origin.endsWith(`:${port}`)).length;
}

async function calls(n: number, call: () => Promise<unknown>): Promise<number> {
  let failed = 0;
  for (let i = 0; i < n; i++) await call().catch(() => failed++);
  return failed;
}

describe('outlier ejection', () => {
  it('ejects an instance at its first refused connection: no attempt reaches it afterwards', async () => {
    const up = harness.track(await startUpstreams(2, (i, _n, _req, res) => ok(i, res)));
    const dead = await harness.closedPort();
    const transport = nodeHttpTransport({ buffered: true });
    const { events, interceptor } = listener();
    const logger = recordingLogger();
    const { engine } = harness.engineOn(
      [dead, ...up.servers.map((s) => s.port)],
      { interceptors: [interceptor], logger },
      transport,
    );
    expect(await calls(30, () => engine.request('GET', 'svc', '/x'))).toBe(0);
    expect(sentTo(transport, dead)).toBe(1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'ejected',
      serviceName: 'svc',
      instance: { port: dead },
      reason: 'connect-failure',
      ejections: 1,
      durationMs: 30_000,
    });
    expect(logger.entries.filter((e) => e.level === 'info').map((e) => e.message)).toEqual([
      `instance 127.0.0.1:${dead} of service 'svc' ejected for 30000 ms (connect-failure, ejection 1)`,
    ]);
    const shown = engine.snapshot().services[0]!.instances.find((i) => i.instance.port === dead)!;
    expect(shown.ejection.ejected).toBe(true);
    expect(shown.ejection.until).toBeGreaterThan(Date.now() + 25_000);
    expect(shown.lastFailure?.kind).toBe('connect-failure');
  });

  it('ejects after five failures in a row (5xx), counting only what says something about the instance', async () => {
    const up = harness.track(
      await startUpstreams(3, (i, _n, _req, res) => (i === 0 ? reply(res, 503, 'broken') : ok(i, res))),
    );
    const { events, interceptor } = listener();
    const { engine } = harness.engineOn(
      up.servers.map((s) => s.port),
      { interceptors: [interceptor] },
    );
    expect(await calls(60, () => engine.request('GET', 'svc', '/x'))).toBe(0);
    expect(up.counts()[0]).toBe(5);
    expect(events.map((e) => [e.type, e.reason, e.consecutiveFailures])).toEqual([
      ['ejected', 'consecutive-failures', 5],
    ]);
  });

  it('never has more than maxEjectionPercent of a service out at once', async () => {
    const up = harness.track(await startUpstreams(1, (i, _n, _req, res) => ok(i, res)));
    const dead = [await harness.closedPort(), await harness.closedPort(), await harness.closedPort()];
    const transport = nodeHttpTransport({ buffered: true });
    // The first call may meet all three dead ones before the live one; and half the calls land
    // on the dead instance left in: more retries than a budget allows.
    const { engine } = harness.engineOn(
      [...dead, up.servers[0]!.port],
      { retry: { attempts: 4 }, retryBudget: false },
      transport,
    );
    expect(await calls(40, () => engine.request('GET', 'svc', '/x'))).toBe(0);
    const service = engine.snapshot().services[0]!;
    // 50% of four: two out; the third dead one is still called (and retried away from).
    expect(service.ejected).toBe(2);
    expect(dead.filter((port) => sentTo(transport, port) > 1)).toHaveLength(1);
  });

  it('uses every instance (panic) rather than none when all would be out', async () => {
    const dead = await harness.closedPort();
    const transport = nodeHttpTransport({ buffered: true });
    const { engine } = harness.engineOn([dead], { retry: false }, transport);
    for (let i = 0; i < 3; i++) {
      expect(await rejection(engine.request('GET', 'svc', '/x'))).toBeInstanceOf(ConnectionError);
    }
    expect(engine.snapshot().services[0]!.ejected).toBe(1);
    expect(sentTo(transport, dead)).toBe(3);
  });

  it('lets an instance back after its time, ejects it again at its first failure for twice as long', async () => {
    let down = true;
    const up = harness.track(
      await startUpstreams(2, (i, _n, _req, res) => (i === 0 && down ? reply(res, 503, 'down') : ok(i, res))),
    );
    const { events, interceptor } = listener();
    const { engine } = harness.engineOn(
      up.servers.map((s) => s.port),
      {
        interceptors: [interceptor],
        // maxEjectionTime far above the test's length: on a loaded machine a second between the
        // return and the next failure would otherwise forgive the multiplier (by design).
        outlierEjection: { consecutiveFailures: 1, baseEjectionTime: 100, maxEjectionTime: 60_000 },
      },
    );
    await waitFor(
      async () => {
        await engine.request('GET', 'svc', '/x');
        return events.length >= 3;
      },
      { message: 'ejected, returned, ejected again', interval: 10 },
    );
    expect(events.slice(0, 3).map((e) => [e.type, e.reason, e.ejections, e.durationMs])).toEqual([
      ['ejected', 'consecutive-failures', 1, 100],
      ['returned', 'consecutive-failures', 1, 100],
      ['ejected', 'failed-on-return', 2, 200],
    ]);
    down = false;
    await waitFor(
      async () => {
        await engine.request('GET', 'svc', '/x');
        return events.at(-1)!.type === 'returned' && up.counts()[0]! > 3;
      },
      { message: 'back and answering', interval: 10 },
    );
    // Proven: a success ended its probation.
    const shown = engine.snapshot().services[0]!.instances[0]!;
    expect(shown.ejection).toEqual({ ejected: false, until: undefined, ejections: 2 });
    expect(shown.consecutiveFailures).toBe(0);
  });

  it('logs an onEjection hook that throws and goes on', async () => {
    const dead = await harness.closedPort();
    const up = harness.track(await startUpstreams(1, (i, _n, _req, res) => ok(i, res)));
    const logger = recordingLogger();
    const { engine } = harness.engineOn([dead, up.servers[0]!.port], {
      logger,
      interceptors: [
        {
          name: 'broken',
          onEjection: () => {
            throw new Error('metrics down');
          },
        },
      ],
    });
    expect(await engine.request('GET', 'svc', '/x')).toEqual({ instance: 0 });
    expect(logger.entries.filter((e) => e.level === 'error').map((e) => e.message)).toEqual([
      "interceptor 'broken' threw in onEjection; ignored",
    ]);
  });

  it('can be turned off: the dead instance keeps being tried (and retried away from)', async () => {
    const up = harness.track(await startUpstreams(1, (i, _n, _req, res) => ok(i, res)));
    const dead = await harness.closedPort();
    const transport = nodeHttpTransport({ buffered: true });
    const { engine } = harness.engineOn([dead, up.servers[0]!.port], { outlierEjection: false }, transport);
    expect(await calls(10, () => engine.request('GET', 'svc', '/x'))).toBe(0);
    expect(sentTo(transport, dead)).toBeGreaterThan(1);
    expect(engine.snapshot().services[0]!.ejected).toBe(0);
  });
});

describe('the snapshot', () => {
  it('shows each service called, its listed instances with their figures, and nothing of a service never called', async () => {
    const up = harness.track(
      await startUpstreams(2, (i, _n, req, res) =>
        req.url === '/fail' ? reply(res, 500, 'no') : ok(i, res),
      ),
    );
    const { engine, registry } = harness.engineOn(
      up.servers.map((s) => s.port),
      { retry: false },
    );
    registry.setInstances('idle', [{ host: '127.0.0.1', port: 1 }]);
    expect(engine.snapshot()).toMatchObject({ inFlight: 0, services: [] });
    await engine.request('GET', 'svc', '/x');
    await engine.request('GET', 'svc', '/x');
    await rejection(engine.request('GET', 'svc', '/fail'));
    const snapshot = engine.snapshot();
    expect(snapshot.takenAt).toBeGreaterThan(Date.now() - 5_000);
    expect(snapshot.services.map((s) => s.serviceName)).toEqual(['svc']);
    const [service] = snapshot.services;
    expect(service).toMatchObject({ calls: 3, retries: 0, retriesRefused: 0, ejected: 0 });
    const [a, b] = service!.instances;
    expect([a!.instance.port, b!.instance.port]).toEqual(up.servers.map((s) => s.port));
    expect([a!.attempts, b!.attempts, a!.failures + b!.failures]).toEqual([2, 1, 1]);
    expect(a).toMatchObject({
      listed: true,
      inFlight: 0,
      consecutiveFailures: 1,
      lastFailure: { kind: 'status' },
    });
    expect(a!.recent.attempts).toBe(2);
    expect(a!.recent.errorRate).toBe(0.5);
    expect(a!.recent.meanLatencyMs).toBeGreaterThan(0);
    expect(a!.recent.maxLatencyMs).toBeGreaterThanOrEqual(a!.recent.meanLatencyMs!);
    expect(b).toMatchObject({ failures: 0, lastFailure: undefined, recent: { errorRate: 0 } });
    expect(Object.isFrozen(snapshot) && Object.isFrozen(service) && Object.isFrozen(a)).toBe(true);
  });

  it('lists an instance never called with zero figures, and keeps one that left the list as not listed', async () => {
    const up = harness.track(await startUpstreams(2, (i, _n, _req, res) => ok(i, res)));
    const [p0, p1] = up.servers.map((s) => s.port) as [number, number];
    const { engine, registry } = harness.engineOn([p0]);
    await engine.request('GET', 'svc', '/x');
    registry.setInstances('svc', [{ host: '127.0.0.1', port: p1 }]);
    const instances = engine.snapshot().services[0]!.instances;
    expect(instances.map((i) => [i.instance.port, i.listed, i.attempts])).toEqual([
      [p1, true, 0],
      [p0, false, 1],
    ]);
    expect(instances[0]!.recent).toEqual({
      attempts: 0,
      failures: 0,
      errorRate: 0,
      meanLatencyMs: undefined,
      maxLatencyMs: undefined,
    });
  });

  it('counts attempts in flight while they run', async () => {
    let release: (() => void) | undefined;
    const up = harness.track(
      await startUpstreams(1, (i, _n, _req, res) => {
        release = () => ok(i, res);
      }),
    );
    const { engine } = harness.engineOn([up.servers[0]!.port]);
    const call = engine.request('GET', 'svc', '/x');
    await waitFor(() => release !== undefined, { message: 'the request to arrive' });
    const during = engine.snapshot();
    expect(during.inFlight).toBe(1);
    expect(during.services[0]!.instances[0]!.inFlight).toBe(1);
    release!();
    await call;
    expect(engine.snapshot().services[0]!.instances[0]!.inFlight).toBe(0);
  });
});
