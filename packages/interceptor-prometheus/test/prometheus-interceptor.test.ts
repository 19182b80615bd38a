import {
  type CallEngine,
  ConnectionError,
  isConfigError,
  type RawResponse,
  type ServiceInterceptor,
} from '@service-caller/core';
import { createRequestContext, finishAttempt, startAttempt } from '@service-caller/core/adapter';
import { closedPort, startTestService, type TestService, waitFor } from '@service-caller/testkit';
import { undiciTransport } from '@service-caller/transport-undici';
import { Registry, register } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BUCKETS_SECONDS, prometheusInterceptor } from '../src/index.js';
import { sampleValue, scrape, seriesOf } from './support/scrape.js';

const DURATION = 'service_caller_client_request_duration_seconds';
const IN_FLIGHT = 'service_caller_client_requests_in_flight';
const ATTEMPTS = 'service_caller_client_attempts_total';
const EJECTIONS = 'service_caller_client_ejections_total';

let service: TestService;
let refusedPort: number;

beforeAll(async () => {
  service = await startTestService({ name: 'downstream' });
  refusedPort = await closedPort();
});

afterAll(() => service.close());

afterEach(() => {
  service.requests.length = 0;
});

/** A real engine: static registry -> round robin -> undici -> the test service on 127.0.0.1. */
function engineWith(interceptors: ServiceInterceptor[], extraInstance?: number): CallEngine {
  const refused = [{ host: '127.0.0.1', port: refusedPort }];
  // One attempt per call: the series below count calls and attempts one to one.
  return service.callEngine({
    transport: undiciTransport(),
    retry: false,
    interceptors,
    services:
      extraInstance === undefined
        ? { refused }
        : {
            refused,
            downstream: [
              { host: '127.0.0.1', port: service.port },
              { host: '127.0.0.1', port: extraInstance },
            ],
          },
  });
}

const labels = (service: string, method: string, status_class: string, outcome: string) => ({
  service,
  method,
  status_class,
  outcome,
});

describe('prometheusInterceptor: what a scrape shows after a known set of calls', () => {
  it('counts every call in the series of its service, method, status class and outcome, with bucket counts', async () => {
    const registry = new Registry();
    const fallback: ServiceInterceptor = {
      name: 'fallback',
      handleException(ctx) {
        if (ctx.path !== '/status/500') return;
        ctx.error = undefined;
        ctx.result = { cached: true };
      },
    };
    const engine = engineWith([prometheusInterceptor({ registry, buckets: [0.25, 60] }), fallback]);

    for (let i = 0; i < 3; i++) await engine.request('GET', 'downstream', '/ok');
    await expect(engine.request('GET', 'downstream', '/status/503')).rejects.toThrow(/503/);
    await engine.request('GET', 'downstream', '/status/404', { throwHttpErrors: false });
    await expect(engine.request('POST', 'refused', '/x')).rejects.toThrow(/ECONNREFUSED/);
    await expect(engine.request('GET', 'nowhere', '/x')).rejects.toThrow(/nowhere/);
    await expect(engine.request('GET', 'downstream', '/status/500')).resolves.toEqual({ cached: true });
    // Two calls that take at least 300 ms: never in the 0.25 s bucket, whatever the machine's load.
    await Promise.all([
      engine.request('PUT', 'downstream', '/delay/300'),
      engine.request('PUT', 'downstream', '/delay/300'),
    ]);

    // A call in flight shows in the gauge; the caller then cancels it.
    const controller = new AbortController();
    const held = engine.request('GET', 'downstream', '/delay/60000', { signal: controller.signal });
    await waitFor(() => service.requests.some((r) => r.url === '/delay/60000'), {
      message: 'the service seeing the held call',
    });
    const during = await scrape(registry);
    expect(sampleValue(during.samples, IN_FLIGHT, { service: 'downstream', method: 'GET' })).toBe(1);
    controller.abort(new Error('the user went away'));
    await expect(held).rejects.toThrow('the user went away');

    const { text, samples } = await scrape(registry);
    expect(text).toContain(`# TYPE ${DURATION} histogram`);
    expect(text).toContain(`# TYPE ${IN_FLIGHT} gauge`);
    expect(text).toMatch(new RegExp(`# HELP ${DURATION} .+`));

    const expected: Array<[Record<string, string>, number]> = [
      [labels('downstream', 'GET', '2xx', 'success'), 3],
      [labels('downstream', 'GET', '5xx', 'error'), 1],
      [labels('downstream', 'GET', '4xx', 'success'), 1],
      [labels('refused', 'POST', 'none', 'error'), 1],
      [labels('nowhere', 'GET', 'none', 'error'), 1],
      [labels('downstream', 'GET', '5xx', 'fallback'), 1],
      [labels('downstream', 'PUT', '2xx', 'success'), 2],
      [labels('downstream', 'GET', 'none', 'cancelled'), 1],
    ];
    expect(seriesOf(samples, `${DURATION}_count`)).toHaveLength(expected.length);
    for (const [series, count] of expected) {
      expect(sampleValue(samples, `${DURATION}_count`, series), JSON.stringify(series)).toBe(count);
      expect(sampleValue(samples, `${DURATION}_bucket`, { ...series, le: '+Inf' })).toBe(count);
      // No call here takes a minute.
      expect(sampleValue(samples, `${DURATION}_bucket`, { ...series, le: '60' })).toBe(count);
    }
    const slow = labels('downstream', 'PUT', '2xx', 'success');
    expect(sampleValue(samples, `${DURATION}_bucket`, { ...slow, le: '0.25' })).toBe(0);
    expect(sampleValue(samples, `${DURATION}_sum`, slow)).toBeGreaterThanOrEqual(0.6);

    // One attempt per call that got to an instance ('nowhere' had none); an attempt's outcome is
    // its own: the 500 the fallback handled was an attempt that failed.
    expect(text).toContain(`# TYPE ${ATTEMPTS} counter`);
    const attempts: Array<[Record<string, string>, number]> = [
      [labels('downstream', 'GET', '2xx', 'success'), 3],
      [labels('downstream', 'GET', '5xx', 'error'), 2],
      [labels('downstream', 'GET', '4xx', 'success'), 1],
      [labels('refused', 'POST', 'none', 'error'), 1],
      [labels('downstream', 'PUT', '2xx', 'success'), 2],
      [labels('downstream', 'GET', 'none', 'cancelled'), 1],
    ];
    expect(seriesOf(samples, ATTEMPTS)).toHaveLength(attempts.length);
    for (const [series, count] of attempts) {
      expect(sampleValue(samples, ATTEMPTS, series), JSON.stringify(series)).toBe(count);
    }

    // Every call has ended: nothing in flight, in any series the gauge has.
    const inFlight = samples.filter((s) => s.name === IN_FLIGHT);
    expect(inFlight.map((s) => s.labels.service).sort()).toEqual([
      'downstream',
      'downstream',
      'nowhere',
      'refused',
    ]);
    for (const sample of inFlight) expect(sample.value, JSON.stringify(sample.labels)).toBe(0);
  });

  it('fills the default buckets (seconds) cumulatively, by the call duration', async () => {
    const registry = new Registry();
    const interceptor = prometheusInterceptor({ registry });
    // Durations set by hand: the one way to know which bucket a call lands in.
    for (const ms of [3, 30, 300, 3_000, 30_000]) {
      const ctx = createRequestContext({ method: 'GET', serviceName: 'timed', path: '/t' });
      interceptor.beforeRequest?.(ctx);
      ctx.duration = ms;
      interceptor.afterResponse?.(ctx);
    }
    const { samples } = await scrape(registry);
    const series = labels('timed', 'GET', 'none', 'success');
    // Cumulative counts per upper bound: [le, calls <= le].
    const cumulative: Array<[string, number]> = [
      ['0.005', 1],
      ['0.01', 1],
      ['0.025', 1],
      ['0.05', 2],
      ['0.075', 2],
      ['0.1', 2],
      ['0.25', 2],
      ['0.5', 3],
      ['0.75', 3],
      ['1', 3],
      ['2.5', 3],
      ['5', 4],
      ['7.5', 4],
      ['10', 4],
      ['+Inf', 5],
    ];
    expect(cumulative.slice(0, -1).map(([le]) => Number(le))).toEqual(DEFAULT_BUCKETS_SECONDS);
    for (const [le, count] of cumulative) {
      expect(sampleValue(samples, `${DURATION}_bucket`, { ...series, le }), `le=${le}`).toBe(count);
    }
    expect(sampleValue(samples, `${DURATION}_sum`, series)).toBeCloseTo(33.333, 6);
  });

  it('labels the instance chosen with instanceLabel: true', async () => {
    const registry = new Registry();
    // Two instances, the second refusing: round robin sends one call to each.
    const engine = engineWith([prometheusInterceptor({ registry, instanceLabel: true })], refusedPort);
    await engine.request('GET', 'downstream', '/ok');
    await expect(engine.request('GET', 'downstream', '/ok')).rejects.toThrow(/ECONNREFUSED/);
    await expect(engine.request('GET', 'nowhere', '/ok')).rejects.toThrow();
    const { samples } = await scrape(registry);
    expect(
      sampleValue(samples, `${DURATION}_count`, {
        ...labels('downstream', 'GET', '2xx', 'success'),
        service_instance: `127.0.0.1:${service.port}`,
      }),
    ).toBe(1);
    expect(
      sampleValue(samples, `${DURATION}_count`, {
        ...labels('downstream', 'GET', 'none', 'error'),
        service_instance: `127.0.0.1:${refusedPort}`,
      }),
    ).toBe(1);
    expect(
      sampleValue(samples, `${DURATION}_count`, {
        ...labels('nowhere', 'GET', 'none', 'error'),
        service_instance: '',
      }),
    ).toBe(1);
    // The gauge has no instance label: the instance is not known when a call starts.
    expect(seriesOf(samples, IN_FLIGHT).every((s) => !('service_instance' in s))).toBe(true);
  });

  it('does not count a call whose earlier interceptor failed before ours ran as in flight', async () => {
    const registry = new Registry();
    const failing: ServiceInterceptor = {
      name: 'token',
      order: -1,
      beforeRequest() {
        throw new Error('token service down');
      },
    };
    const engine = engineWith([failing, prometheusInterceptor({ registry })]);
    await expect(engine.request('GET', 'downstream', '/never')).rejects.toThrow('token service down');
    const { samples } = await scrape(registry);
    expect(sampleValue(samples, `${DURATION}_count`, labels('downstream', 'GET', 'none', 'error'))).toBe(1);
    expect(samples.filter((s) => s.name === IN_FLIGHT && s.value !== 0)).toEqual([]);
  });

  it("keeps the registry's default labels", async () => {
    const registry = new Registry();
    registry.setDefaultLabels({ app: 'checkout' });
    const engine = engineWith([prometheusInterceptor({ registry })]);
    await engine.request('GET', 'downstream', '/ok');
    await engine.request('GET', 'downstream', '/ok');
    const { samples } = await scrape(registry);
    expect(
      sampleValue(samples, `${DURATION}_count`, {
        ...labels('downstream', 'GET', '2xx', 'success'),
        app: 'checkout',
      }),
    ).toBe(2);
  });
});

describe('prometheusInterceptor: a call that retried', () => {
  it('through the engine: counts the refused and the answered attempt, the call once', async () => {
    const registry = new Registry();
    // Two instances, the refused one first: a fresh round robin starts at the registry's first,
    // and the engine's default retry takes a refused connection to the other one.
    const engine = service.callEngine({
      transport: undiciTransport(),
      interceptors: [prometheusInterceptor({ registry, instanceLabel: true })],
      services: {
        downstream: [
          { host: '127.0.0.1', port: refusedPort },
          { host: '127.0.0.1', port: service.port },
        ],
      },
    });
    await expect(engine.request('GET', 'downstream', '/ok')).resolves.toEqual({ ok: true });
    expect(service.requests).toHaveLength(1);

    const { samples } = await scrape(registry);
    const at = (port: number) => ({ service_instance: `127.0.0.1:${port}` });
    const refused = { ...labels('downstream', 'GET', 'none', 'error'), ...at(refusedPort) };
    const answered = { ...labels('downstream', 'GET', '2xx', 'success'), ...at(service.port) };
    expect(seriesOf(samples, ATTEMPTS)).toHaveLength(2);
    expect(sampleValue(samples, ATTEMPTS, refused)).toBe(1);
    expect(sampleValue(samples, ATTEMPTS, answered)).toBe(1);
    // The call: one, a success, on the instance that answered.
    expect(seriesOf(samples, `${DURATION}_count`)).toEqual([answered]);
    expect(sampleValue(samples, `${DURATION}_count`, answered)).toBe(1);
    expect(sampleValue(samples, `${DURATION}_bucket`, { ...answered, le: '+Inf' })).toBe(1);
  });

  it('counts each attempt on its instance, the call once (played through the hooks)', async () => {
    // The hooks' contract, without the engine: the retry is played with core's own attempt
    // records (startAttempt / finishAttempt), as the engine makes them.
    const registry = new Registry();
    const interceptor = prometheusInterceptor({ registry, instanceLabel: true });
    const ctx = createRequestContext({ method: 'GET', serviceName: 'svc', path: '/x' });
    interceptor.beforeRequest?.(ctx);
    const on = (port: number) => ({
      id: `127.0.0.1:${port}`,
      serviceName: 'svc',
      host: '127.0.0.1',
      port,
      weight: 1,
      healthy: true,
      metadata: {},
    });
    const first = startAttempt(ctx, on(8081));
    finishAttempt(first, { error: new ConnectionError('connect ECONNREFUSED 127.0.0.1:8081') });
    interceptor.afterAttempt?.(ctx, first);
    const second = startAttempt(ctx, on(8082));
    finishAttempt(second, { status: 200 });
    interceptor.afterAttempt?.(ctx, second);
    ctx.response = { status: 200 } as RawResponse;
    ctx.duration = 12;
    interceptor.afterResponse?.(ctx);

    const { samples } = await scrape(registry);
    const at = (port: number) => ({ service_instance: `127.0.0.1:${port}` });
    expect(sampleValue(samples, ATTEMPTS, { ...labels('svc', 'GET', 'none', 'error'), ...at(8081) })).toBe(1);
    expect(sampleValue(samples, ATTEMPTS, { ...labels('svc', 'GET', '2xx', 'success'), ...at(8082) })).toBe(
      1,
    );
    expect(seriesOf(samples, ATTEMPTS)).toHaveLength(2);
    // The call: one, a success, on the instance that answered.
    expect(
      sampleValue(samples, `${DURATION}_count`, { ...labels('svc', 'GET', '2xx', 'success'), ...at(8082) }),
    ).toBe(1);
    expect(seriesOf(samples, `${DURATION}_count`)).toHaveLength(1);
  });
});

describe('prometheusInterceptor: ejections', () => {
  it.each([false, true])(
    'counts the instance outlier ejection takes out, by service and reason (instanceLabel %s)',
    async (instanceLabel) => {
      const registry = new Registry();
      const engine = engineWith([prometheusInterceptor({ registry, instanceLabel })], refusedPort);
      // One after another: concurrent calls could each pick the refused instance before its ejection.
      const outcomes: PromiseSettledResult<unknown>[] = [];
      for (let i = 0; i < 6; i++) {
        outcomes.push((await Promise.allSettled([engine.request('GET', 'downstream', '/ok')]))[0]!);
      }
      // One call met the refused instance (no retries here) and ejected it; the rest went to the live one.
      expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(1);
      const { samples } = await scrape(registry);
      const expected = {
        service: 'downstream',
        reason: 'connect-failure',
        ...(instanceLabel ? { service_instance: `127.0.0.1:${refusedPort}` } : {}),
      };
      expect(sampleValue(samples, EJECTIONS, expected)).toBe(1);
      expect(seriesOf(samples, EJECTIONS)).toEqual([expected]);
    },
  );

  it('counts only ejections, not returns', async () => {
    const registry = new Registry();
    const interceptor = prometheusInterceptor({ registry });
    const instance = {
      id: '127.0.0.1:1',
      serviceName: 'svc',
      host: '127.0.0.1',
      port: 1,
      weight: 1,
      healthy: true,
      metadata: {},
    };
    const base = {
      serviceName: 'svc',
      instance,
      consecutiveFailures: 5,
      ejections: 1,
      durationMs: 30_000,
      at: 0,
    };
    interceptor.onEjection?.({ ...base, type: 'ejected', reason: 'consecutive-failures' });
    interceptor.onEjection?.({ ...base, type: 'returned', reason: 'consecutive-failures' });
    interceptor.onEjection?.({ ...base, type: 'ejected', reason: 'failed-on-return', ejections: 2 });
    const { samples } = await scrape(registry);
    expect(sampleValue(samples, EJECTIONS, { service: 'svc', reason: 'consecutive-failures' })).toBe(1);
    expect(sampleValue(samples, EJECTIONS, { service: 'svc', reason: 'failed-on-return' })).toBe(1);
    expect(seriesOf(samples, EJECTIONS)).toHaveLength(2);
  });
});

describe('prometheusInterceptor: registries and names', () => {
  it("registers in prom-client's global register by default", () => {
    prometheusInterceptor();
    try {
      expect(register.getSingleMetric(DURATION)).toBeDefined();
      expect(register.getSingleMetric(IN_FLIGHT)).toBeDefined();
      expect(register.getSingleMetric(ATTEMPTS)).toBeDefined();
      expect(register.getSingleMetric(EJECTIONS)).toBeDefined();
    } finally {
      for (const name of [DURATION, IN_FLIGHT, ATTEMPTS, EJECTIONS]) register.removeSingleMetric(name);
    }
  });

  it('refuses a second interceptor on the same names in one registry, and takes another prefix', async () => {
    const registry = new Registry();
    prometheusInterceptor({ registry });
    let error: unknown;
    try {
      prometheusInterceptor({ registry });
    } catch (e) {
      error = e;
    }
    expect(isConfigError(error)).toBe(true);
    expect((error as Error).message).toContain(`a registry without a metric named ${DURATION}`);
    prometheusInterceptor({ registry, prefix: 'edge_', name: 'edge' });
    prometheusInterceptor({ registry, prefix: '' });
    const names = (await registry.getMetricsAsJSON()).map((m) => m.name).sort();
    expect(names).toEqual([
      'client_attempts_total',
      'client_ejections_total',
      'client_request_duration_seconds',
      'client_requests_in_flight',
      'edge_client_attempts_total',
      'edge_client_ejections_total',
      'edge_client_request_duration_seconds',
      'edge_client_requests_in_flight',
      ATTEMPTS,
      EJECTIONS,
      DURATION,
      IN_FLIGHT,
    ]);
  });

  it.each([
    [{ registry: {} }, 'registry'],
    [{ prefix: '9lives_' }, 'prefix'],
    [{ prefix: 'has-dash_' }, 'prefix'],
    [{ buckets: [] }, 'buckets'],
    [{ buckets: [0.1, 0.05] }, 'buckets'],
    [{ buckets: [0.1, Number.POSITIVE_INFINITY] }, 'buckets'],
    [{ instanceLabel: 'yes' }, 'instanceLabel'],
    [{ name: '' }, 'name'],
    [{ order: Number.NaN }, 'order'],
  ])('refuses %j with a ConfigError naming %s', (options, keyPath) => {
    let error: unknown;
    try {
      prometheusInterceptor({ registry: new Registry(), ...(options as object) } as never);
    } catch (e) {
      error = e;
    }
    expect(isConfigError(error), String(error)).toBe(true);
    expect((error as { keyPath: string }).keyPath).toBe(keyPath);
    expect((error as Error).message).toMatch(/^<prometheusInterceptor options>: /);
  });

  it('has a stable name and order, which options can change', () => {
    const a = prometheusInterceptor({ registry: new Registry() });
    expect([a.name, a.order]).toEqual(['PrometheusInterceptor', 99991]);
    const b = prometheusInterceptor({ registry: new Registry(), name: 'edge', order: 3 });
    expect([b.name, b.order]).toEqual(['edge', 3]);
  });
});
