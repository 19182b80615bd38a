import { describe, expect, it } from 'vitest';
// testkit depends on core, so core's tests take waitFor from its source rather than the package.
import { waitFor } from '../../testkit/src/wait.js';
import {
  type AttemptOutcome,
  type CallAttempt,
  type CallEngineOptions,
  ConfigError,
  ConnectionError,
  filterInstances,
  HttpStatusError,
  type InstanceFilter,
  type LoadBalancer,
  type Pick,
  type PickContext,
  type RequestContext,
  ResponseParseError,
  roundRobin,
  type ServiceInstance,
  type ServiceInterceptor,
  ServiceUnavailableError,
  TimeoutError,
} from '../src/index.js';
import type { Echo } from './support/echo-server.js';
import { closedPort, type EngineSetup, engineFixture, rejection } from './support/engine-fixture.js';
import { nodeHttpTransport } from './support/node-http-transport.js';
import { recordingLogger } from './support/recording.js';

const fixture = engineFixture();
const setup = fixture.setup.bind(fixture);
type Setup = EngineSetup;

/** A round-robin balancer that keeps every context it was handed and every outcome reported. */
function watchingBalancer() {
  const inner = roundRobin();
  const picks: { instances: readonly ServiceInstance[]; attempt: number; tried: number }[] = [];
  const contexts: PickContext[] = [];
  const outcomes: AttemptOutcome[] = [];
  const balancer: LoadBalancer = {
    name: 'watching',
    pick(instances, context): Pick {
      contexts.push(context);
      picks.push({ instances, attempt: context.attempt, tried: context.triedInstances.length });
      const { instance } = inner.pick(instances, context);
      return {
        instance,
        done: ({ status, error, latencyMs }) => void outcomes.push({ status, error, latencyMs }),
      };
    },
  };
  return { balancer, picks, contexts, outcomes };
}

describe('what the balancer sees and learns', () => {
  it('gets the attempt number and the instances tried so far, from the call context itself', async () => {
    const watching = watchingBalancer();
    let seen: RequestContext | undefined;
    const { engine } = setup({
      loadBalancer: watching.balancer,
      interceptors: [
        {
          name: 'keep',
          beforeRequest: (ctx) => {
            seen = ctx;
          },
        },
      ],
    });
    await engine.request('GET', 'echo', '/json');
    expect(watching.picks).toEqual([{ instances: expect.any(Array), attempt: 1, tried: 0 }]);
    // No object is made per pick: the context passed is the call's own.
    expect(watching.contexts[0]).toBe(seen);
    expect(watching.contexts[0]!.serviceName).toBe('echo');
  });

  it('reports the status with each outcome; a 4xx is no failure, a 5xx is one even when not thrown', async () => {
    const watching = watchingBalancer();
    // One attempt per call: this is about what each outcome carries (retries have their own tests).
    const { engine, registry } = setup({ loadBalancer: watching.balancer, retry: false });
    await engine.request('GET', 'echo', '/json');
    await rejection(engine.request('GET', 'echo', '/status/404'));
    await engine.request('GET', 'echo', '/status/503', { throwHttpErrors: false });
    registry.setInstances('down', [{ host: '127.0.0.1', port: await closedPort() }]);
    await rejection(engine.request('GET', 'down', '/x'));

    const summary = watching.outcomes.map((o) => [o.status, o.error?.constructor.name]);
    expect(summary).toEqual([
      [200, undefined],
      [404, undefined],
      [503, 'HttpStatusError'],
      [undefined, 'ConnectionError'],
    ]);
    for (const outcome of watching.outcomes) expect(outcome.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('tells done() about a raw call when its body has been read, not when the headers arrived', async () => {
    const watching = watchingBalancer();
    const { engine } = setup({ loadBalancer: watching.balancer });
    const res = await engine.rawRequest('GET', 'echo', '/json');
    expect(watching.outcomes).toHaveLength(0);
    await res.json();
    expect(watching.outcomes).toEqual([{ status: 200, error: undefined, latencyMs: expect.any(Number) }]);
    // Reading again (refused) or disposing later reports nothing more.
    await rejection(res.text());
    await res.dispose();
    expect(watching.outcomes).toHaveLength(1);
  });

  it('tells done() about a raw call when its body is disposed unread, streamed to the end or fails', async () => {
    const watching = watchingBalancer();
    const { engine } = setup({ loadBalancer: watching.balancer, retry: false });
    const disposed = await engine.rawRequest('GET', 'echo', '/status/502');
    expect(watching.outcomes).toHaveLength(0);
    await disposed.dispose();
    expect(watching.outcomes.map((o) => [o.status, (o.error as HttpStatusError).status])).toEqual([
      [502, 502],
    ]);

    const streamed = await engine.rawRequest('GET', 'echo', '/bytes');
    const reader = streamed.body!.getReader();
    while (!(await reader.read()).done) expect(watching.outcomes).toHaveLength(1);
    expect(watching.outcomes.map((o) => [o.status, o.error])).toEqual([
      [502, expect.any(HttpStatusError)],
      [200, undefined],
    ]);

    const abort = new AbortController();
    const stalled = await engine.rawRequest('GET', 'echo', '/hang-body', { signal: abort.signal });
    const reading = stalled.text();
    const reason = new Error('caller gave up');
    abort.abort(reason);
    await rejection(reading);
    expect(watching.outcomes[2]).toEqual({ status: 200, error: reason, latencyMs: expect.any(Number) });
  });

  it('ends the attempt of a raw body nobody reads when the total timeout fires', async () => {
    const watching = watchingBalancer();
    const { engine } = setup({ loadBalancer: watching.balancer });
    const res = await engine.rawRequest('GET', 'echo', '/hang-body', { timeout: 100 });
    expect(res.status).toBe(200);
    await waitFor(() => watching.outcomes.length === 1, { message: 'the deadline ending the attempt' });
    expect(watching.outcomes[0]!.error).toBeInstanceOf(TimeoutError);
    expect((watching.outcomes[0]!.error as TimeoutError).phase).toBe('total');
    const late = await rejection(res.text());
    expect(late).toBeInstanceOf(TimeoutError);
    expect(watching.outcomes).toHaveLength(1);
  });
});

describe('ctx.attempts', () => {
  it('keeps each attempt: instance, URL, status, error and latency, read in the call stages', async () => {
    const seen: { before: readonly CallAttempt[]; after: CallAttempt[] }[] = [];
    const { engine } = setup({
      interceptors: [
        {
          name: 'attempts',
          beforeRequest: (ctx) => void seen.push({ before: ctx.attempts, after: [] }),
          afterResponse: (ctx) => void seen.at(-1)!.after.push(...ctx.attempts),
        },
      ],
    });
    await engine.request('GET', 'echo', '/json?token=t');
    await rejection(engine.request('GET', 'echo', '/status/503'));

    expect(seen.map((s) => s.before)).toEqual([[], []]);
    const [ok, failed] = seen.map((s) => s.after);
    expect(ok).toHaveLength(1);
    expect(ok![0]).toMatchObject({
      number: 1,
      instance: { host: '127.0.0.1', port: fixture.server.port },
      url: `http://127.0.0.1:${fixture.server.port}/json?token=t`,
      status: 200,
      error: undefined,
    });
    expect(ok![0]!.latencyMs).toBeGreaterThanOrEqual(0);
    expect(ok![0]!.startTime).toBeGreaterThan(0);
    expect(ok![0]!.latencyMs).toBe(ok![0]!.endTime! - ok![0]!.startTime);
    expect(failed![0]).toMatchObject({ number: 1, status: 503, error: expect.any(HttpStatusError) });
  });

  it('builds the list once per attempt, only when read, and keeps it frozen', async () => {
    let first: readonly CallAttempt[] | undefined;
    let second: readonly CallAttempt[] | undefined;
    let tried: readonly ServiceInstance[] | undefined;
    const { engine } = setup({
      interceptors: [
        {
          name: 'reads',
          afterResponse: (ctx) => {
            first = ctx.attempts;
            second = ctx.attempts;
            tried = ctx.triedInstances;
          },
        },
      ],
    });
    await engine.request('GET', 'echo', '/json');
    expect(first).toBe(second);
    expect(Object.isFrozen(first)).toBe(true);
    expect(tried).toEqual([]);
  });
});

describe('the per-attempt interceptor hooks', () => {
  function stages(log: string[], name = 'i'): ServiceInterceptor {
    return {
      name,
      beforeRequest: () => void log.push(`${name}:beforeRequest`),
      beforeAttempt: (_ctx, attempt) => void log.push(`${name}:beforeAttempt#${attempt.number}`),
      afterAttempt: (_ctx, attempt) =>
        void log.push(`${name}:afterAttempt#${attempt.number}:${attempt.status}`),
      handleException: () => void log.push(`${name}:handleException`),
      afterResponse: () => void log.push(`${name}:afterResponse`),
    };
  }

  it('run once per attempt, the call stages once per call, in order', async () => {
    const log: string[] = [];
    const { engine } = setup({ interceptors: [stages(log, 'a'), stages(log, 'b')] });
    await engine.request('GET', 'echo', '/json');
    expect(log).toEqual([
      'a:beforeRequest',
      'b:beforeRequest',
      'a:beforeAttempt#1',
      'b:beforeAttempt#1',
      'b:afterAttempt#1:200',
      'a:afterAttempt#1:200',
      'b:afterResponse',
      'a:afterResponse',
    ]);
    log.length = 0;
    await rejection(engine.request('GET', 'echo', '/status/500'));
    expect(log.filter((l) => l.startsWith('a:'))).toEqual([
      'a:beforeRequest',
      'a:beforeAttempt#1',
      'a:afterAttempt#1:500',
      'a:handleException',
      'a:afterResponse',
    ]);
  });

  it("run for a raw call's attempt when the caller has read its body, after the call's stages", async () => {
    const log: string[] = [];
    const { engine } = setup({ interceptors: [stages(log)] });
    const res = await engine.rawRequest('GET', 'echo', '/json');
    expect(log).toEqual(['i:beforeRequest', 'i:beforeAttempt#1', 'i:afterResponse']);
    await res.text();
    expect(log.at(-1)).toBe('i:afterAttempt#1:200');
  });

  it('hand beforeAttempt a copy of the headers that it may change for its attempt only', async () => {
    const callerHeaders = { 'x-caller': '1' };
    const { engine } = setup({
      interceptors: [
        {
          name: 'trace',
          beforeAttempt: (_ctx, attempt) => {
            (attempt.headers as Record<string, string>).traceparent = `00-${attempt.number}`;
          },
        },
      ],
    });
    const echo = (await engine.request('GET', 'echo', '/echo', { headers: callerHeaders })) as Echo;
    expect(echo.headers).toMatchObject({ 'x-caller': '1', traceparent: '00-1' });
    expect(callerHeaders).toEqual({ 'x-caller': '1' });
  });

  it('fail the attempt when beforeAttempt throws, reporting it to done() and the call stages', async () => {
    const watching = watchingBalancer();
    const failure = new Error('no trace context');
    const handled: unknown[] = [];
    const { engine, transport } = setup({
      loadBalancer: watching.balancer,
      interceptors: [
        {
          name: 'broken',
          beforeAttempt: () => {
            throw failure;
          },
          handleException: (ctx) => void handled.push(ctx.error),
        },
      ],
    });
    expect(await rejection(engine.request('GET', 'echo', '/json'))).toBe(failure);
    expect(transport.sent).toHaveLength(0);
    expect(handled).toEqual([failure]);
    expect(watching.outcomes).toEqual([{ status: undefined, error: failure, latencyMs: expect.any(Number) }]);
  });

  it('refuse a beforeAttempt that returns a promise: nothing would wait for it', async () => {
    const { engine, transport } = setup({
      interceptors: [{ name: 'async', beforeAttempt: (async () => {}) as unknown as () => void }],
    });
    const error = (await rejection(engine.request('GET', 'echo', '/json'))) as Error & { code: string };
    expect(error.code).toBe('SC_ERR_INTERCEPTOR');
    expect(error.message).toContain("interceptor 'async' returned a promise from beforeAttempt");
    expect(transport.sent).toHaveLength(0);
  });

  it('log a throw in afterAttempt and keep the outcome', async () => {
    const logger = recordingLogger();
    const { engine } = setup({
      logger,
      interceptors: [
        {
          name: 'broken',
          afterAttempt: () => {
            throw new Error('exporter down');
          },
        },
      ],
    });
    await expect(engine.request('GET', 'echo', '/json?secret=1')).resolves.toEqual({ a: 1, list: [1, 2] });
    expect(logger.entries.map((e) => [e.level, e.message, e.fields?.path])).toEqual([
      ['error', "interceptor 'broken' threw in afterAttempt; ignored", '/json'],
    ]);
  });

  it('cost nothing when no interceptor has them: the call headers are sent as they are', async () => {
    const headers = { 'x-one': '1' };
    const { engine, transport } = setup({ interceptors: [] });
    await engine.request('GET', 'echo', '/json', { headers });
    expect(transport.sent[0]!.headers).toBe(headers);
  });
});

describe('filters', () => {
  function twoInstances(): Setup & { port: number } {
    const s = setup();
    s.registry.setInstances('pair', [
      { host: '127.0.0.1', port: fixture.server.port, metadata: { zone: 'a' } },
      { host: 'localhost', port: fixture.server.port, metadata: { zone: 'b' } },
    ]);
    return { ...s, port: fixture.server.port };
  }

  it('run in order in front of the balancer, which gets the last output', async () => {
    const watching = watchingBalancer();
    const order: string[] = [];
    const zoneA = filterInstances('zone-a', (i) => i.metadata.zone === 'a');
    const tap = (name: string, inner: InstanceFilter): InstanceFilter => ({
      name,
      filter: (instances, ctx) => {
        order.push(`${name}:${instances.length}`);
        return inner.filter(instances, ctx);
      },
    });
    const everything = filterInstances('all', () => true);
    const { engine, registry } = setup({
      loadBalancer: watching.balancer,
      filters: [tap('first', everything), tap('second', zoneA)],
    });
    registry.setInstances('echo', [
      { host: '127.0.0.1', port: fixture.server.port, metadata: { zone: 'a' } },
      { host: 'localhost', port: fixture.server.port, metadata: { zone: 'b' } },
    ]);
    await engine.request('GET', 'echo', '/json');
    await engine.request('GET', 'echo', '/json');
    expect(order).toEqual(['first:2', 'second:2', 'first:2', 'second:2']);
    const [one, two] = watching.picks.map((p) => p.instances);
    expect(one!.map((i) => i.metadata.zone)).toEqual(['a']);
    // Same output array while nothing changed: the balancer's cached state survives.
    expect(two).toBe(one);
  });

  it('fail the attempt with ServiceUnavailableError naming a filter that leaves nothing', async () => {
    const { engine, transport } = setup({ filters: [filterInstances('none', () => false)] });
    const error = (await rejection(engine.request('GET', 'echo', '/json'))) as ServiceUnavailableError;
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error.message).toBe(
      "service 'echo' is unavailable: no instance left after filter 'none' (1 before it)",
    );
    expect(transport.sent).toHaveLength(0);
  });

  it('refuse a filter that returns something else than an array', async () => {
    const { engine } = setup({
      filters: [{ name: 'broken', filter: () => undefined as unknown as ServiceInstance[] }],
    });
    const error = (await rejection(engine.request('GET', 'echo', '/json'))) as ServiceUnavailableError;
    expect(error.message).toContain("filter 'broken' returned undefined instead of an instance list");
  });

  it.each([
    [{ filters: 'zone' }, 'filters'],
    [{ filters: [null] }, 'filters[0]'],
    [{ filters: [{ filter: () => [] }] }, 'filters[0].name'],
    [{ filters: [{ name: 'x', filter: 1 }] }, 'filters[0].filter'],
  ])('refuses a bad filters option with a ConfigError (%j)', (bad, keyPath) => {
    expect(() => setup(bad as unknown as Partial<CallEngineOptions>)).toThrow(ConfigError);
    try {
      setup(bad as unknown as Partial<CallEngineOptions>);
    } catch (error) {
      expect((error as ConfigError).keyPath).toBe(keyPath);
    }
  });

  it('filterInstances keeps identities: the input itself when nothing is removed, one output per input', () => {
    const pair = twoInstances();
    const instances = pair.registry.getCachedInstances('pair')!;
    const ctx = { serviceName: 'pair', attempt: 1, triedInstances: [] };
    const all = filterInstances('all', () => true);
    expect(all.filter(instances, ctx)).toBe(instances);
    const calls: string[] = [];
    const zoneB = filterInstances('zone-b', (i) => {
      calls.push(i.host);
      return i.metadata.zone === 'b';
    });
    const out = zoneB.filter(instances, ctx);
    expect(out.map((i) => i.host)).toEqual(['localhost']);
    expect(zoneB.filter(instances, ctx)).toBe(out);
    expect(calls).toHaveLength(2);
    const changed = [...instances];
    expect(zoneB.filter(changed, ctx)).not.toBe(out);
    expect(calls).toHaveLength(4);
    expect(() => filterInstances('', () => true)).toThrow(ConfigError);
    expect(() => filterInstances('x', 1 as unknown as () => boolean)).toThrow(ConfigError);
  });
});

describe('the buffered send path', () => {
  it('sends parsed calls through sendBuffered, raw calls through send, with the same results', async () => {
    const plain = setup();
    const buffered = setup({}, nodeHttpTransport({ buffered: true }));
    const paths = [
      '/json',
      '/problem',
      '/text',
      '/latin1',
      '/unknown-charset',
      '/bytes',
      '/no-type',
      '/empty-json',
      '/empty-chunked',
      '/empty-text-chunked',
      '/status/204',
    ];
    for (const path of paths) {
      const expected = await plain.engine.request('GET', 'echo', path);
      expect(await buffered.engine.request('GET', 'echo', path), path).toEqual(expected);
    }
    expect(await buffered.engine.request('HEAD', 'echo', '/json')).toBeUndefined();
    expect(buffered.transport.buffered).toBe(paths.length + 1);
    const raw = await buffered.engine.rawRequest('GET', 'echo', '/json');
    expect(await raw.json()).toEqual({ a: 1, list: [1, 2] });
    expect(buffered.transport.buffered).toBe(paths.length + 1);
    expect(buffered.transport.sent).toHaveLength(paths.length + 2);
  });

  it('throws the same errors: HttpStatusError with the parsed body, ResponseParseError', async () => {
    const { engine } = setup({}, nodeHttpTransport({ buffered: true }));
    const status = (await rejection(engine.request('GET', 'echo', '/status/404'))) as HttpStatusError;
    expect([status.status, status.body]).toEqual([404, { status: 404, message: 'as asked' }]);
    const page = (await rejection(engine.request('GET', 'echo', '/error-invalid-json'))) as HttpStatusError;
    expect([page.status, page.body]).toEqual([502, '<html>bad gateway</html>']);
    expect(await rejection(engine.request('GET', 'echo', '/invalid-json'))).toBeInstanceOf(
      ResponseParseError,
    );
    await expect(engine.request('GET', 'echo', '/status/503', { throwHttpErrors: false })).resolves.toEqual({
      status: 503,
      message: 'as asked',
    });
  });

  it("ends a buffered attempt when its body arrived: the call's end comes after, once it is parsed", async () => {
    const seen: { attempt: CallAttempt; responseTime: number | undefined; endTime: number | undefined }[] =
      [];
    const { engine } = setup(
      {
        interceptors: [
          {
            name: 'times',
            afterResponse: (ctx) =>
              void seen.push({
                attempt: ctx.attempts[0]!,
                responseTime: ctx.responseTime,
                endTime: ctx.endTime,
              }),
          },
        ],
      },
      nodeHttpTransport({ buffered: true }),
    );
    await engine.request('GET', 'echo', '/json');
    const [{ attempt, responseTime, endTime }] = seen as [(typeof seen)[0]];
    expect(attempt.endTime).toBe(responseTime);
    expect(endTime!).toBeGreaterThanOrEqual(attempt.endTime!);
    expect(attempt.startTime).toBeLessThanOrEqual(attempt.endTime!);
  });

  it('shows interceptors the buffered response, already used, and reports each attempt once', async () => {
    const watching = watchingBalancer();
    const seen: { status: number | undefined; used: boolean | undefined }[] = [];
    const { engine, registry } = setup(
      {
        loadBalancer: watching.balancer,
        retry: false,
        interceptors: [
          {
            name: 'look',
            afterResponse: (ctx) =>
              void seen.push({ status: ctx.response?.status, used: ctx.response?.bodyUsed }),
          },
        ],
      },
      nodeHttpTransport({ buffered: true }),
    );
    await engine.request('GET', 'echo', '/json');
    registry.setInstances('down', [{ host: '127.0.0.1', port: await closedPort() }]);
    expect(await rejection(engine.request('GET', 'down', '/x'))).toBeInstanceOf(ConnectionError);
    expect(seen).toEqual([
      { status: 200, used: true },
      { status: undefined, used: undefined },
    ]);
    expect(watching.outcomes.map((o) => [o.status, o.error?.constructor.name])).toEqual([
      [200, undefined],
      [undefined, 'ConnectionError'],
    ]);
  });
});
