import { describe, expect, it } from 'vitest';
import {
  type CallAttempt,
  ConfigError,
  ConnectionError,
  type HttpStatusError,
  InvalidRequestError,
  type RequestContext,
  random,
  TimeoutError,
} from '../src/index.js';
import { rejection } from './support/engine-fixture.js';
import { nodeHttpTransport } from './support/node-http-transport.js';
import { reply } from './support/test-server.js';
import { engineHarness, ok, startUpstreams } from './support/upstreams.js';

const harness = engineHarness();

/** An interceptor that keeps the context of the last call and every attempt it saw. */
function watch() {
  const seen: { ctx?: RequestContext; before: CallAttempt[]; after: CallAttempt[]; stages: string[] } = {
    before: [],
    after: [],
    stages: [],
  };
  return {
    seen,
    interceptor: {
      name: 'watch',
      beforeRequest: (ctx: RequestContext) => {
        seen.ctx = ctx;
        seen.stages.push('beforeRequest');
      },
      beforeAttempt: (_ctx: RequestContext, attempt: CallAttempt) => void seen.before.push(attempt),
      afterAttempt: (_ctx: RequestContext, attempt: CallAttempt) => void seen.after.push(attempt),
      handleException: () => void seen.stages.push('handleException'),
      afterResponse: () => void seen.stages.push('afterResponse'),
    },
  };
}

describe('retries on another instance', () => {
  it('retries a GET whose instance refuses the connection on another one, once per attempt in the hooks', async () => {
    const up = harness.track(await startUpstreams(1, (i, _n, _req, res) => ok(i, res)));
    const dead = await harness.closedPort();
    const { seen, interceptor } = watch();
    const { engine } = harness.engineOn([dead, up.servers[0]!.port], { interceptors: [interceptor] });
    expect(await engine.request('GET', 'svc', '/x')).toEqual({ instance: 0 });
    const attempts = seen.ctx!.attempts;
    expect(attempts.map((a) => [a.number, a.kind, a.instance.port, a.status])).toEqual([
      [1, 'first', dead, undefined],
      [2, 'retry', up.servers[0]!.port, 200],
    ]);
    expect(attempts[0]!.error).toBeInstanceOf(ConnectionError);
    // The per-attempt hooks once per attempt, the call's stages once per call.
    expect(seen.before).toEqual(attempts);
    expect(seen.after).toEqual(attempts);
    expect(seen.stages).toEqual(['beforeRequest', 'afterResponse']);
  });

  it('sends each retry to an instance the call has not tried, while one is left', async () => {
    const up = harness.track(
      await startUpstreams(3, (i, _n, _req, res) => (i < 2 ? reply(res, 503, 'busy') : ok(i, res))),
    );
    // A balancer that would pick the first instance every time: the retries must still move on.
    const { engine } = harness.engineOn(
      up.servers.map((s) => s.port),
      { loadBalancer: random({ random: () => 0 }), outlierEjection: false },
    );
    expect(await engine.request('GET', 'svc', '/x')).toEqual({ instance: 2 });
    expect(up.counts()).toEqual([1, 1, 1]);
  });

  it('retries 502, 503 and 504 by default, not a 404 or a 500', async () => {
    const statuses = [502, 503, 504, 404, 500];
    const up = harness.track(
      await startUpstreams(1, (_i, _n, req, res) => reply(res, Number(req.url!.slice(1)), 'no')),
    );
    const { engine } = harness.engineOn([up.servers[0]!.port], { outlierEjection: false });
    for (const status of statuses) {
      const error = (await rejection(engine.request('GET', 'svc', `/${status}`))) as HttpStatusError;
      expect(error.status).toBe(status);
    }
    const byPath = (path: string) => up.servers[0]!.seen.filter((r) => r.url === path).length;
    expect(statuses.map((s) => byPath(`/${s}`))).toEqual([3, 3, 3, 1, 1]);
  });

  it('does not retry a POST unless the call lists it in retry.methods, and says why', async () => {
    const up = harness.track(
      await startUpstreams(2, (i, _n, _req, res) => (i === 0 ? reply(res, 503, 'busy') : ok(i, res))),
    );
    // The first instance first, every call.
    const { engine } = harness.engineOn(
      up.servers.map((s) => s.port),
      {
        outlierEjection: false,
        loadBalancer: random({ random: () => 0 }),
      },
    );
    const error = (await rejection(
      engine.request('POST', 'svc', '/orders', { json: { n: 1 } }),
    )) as HttpStatusError;
    expect(error.status).toBe(503);
    expect(error.message).toBe(
      `POST http://127.0.0.1:${up.servers[0]!.port}/orders (service 'svc') failed with status 503 Service Unavailable; not retried: POST is not among the methods retried (GET, HEAD, OPTIONS, PUT, DELETE); list it in retry.methods to retry it`,
    );
    expect(up.counts()).toEqual([1, 0]);
    // Opted in: the POST goes to the other instance.
    const body = await engine.request('POST', 'svc', '/orders', {
      json: { n: 2 },
      retry: { methods: ['POST'] },
    });
    expect(body).toEqual({ instance: 1 });
    expect(up.servers.map((s) => s.seen.filter((r) => r.method === 'POST').length)).toEqual([2, 1]);
  });

  it('never sends a stream body twice: one attempt, and the error says why', async () => {
    const up = harness.track(
      await startUpstreams(2, (i, _n, _req, res) => (i === 0 ? reply(res, 503, 'busy') : ok(i, res))),
    );
    const { engine } = harness.engineOn(
      up.servers.map((s) => s.port),
      { outlierEjection: false },
    );
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('once'));
        controller.close();
      },
    });
    const error = (await rejection(engine.request('PUT', 'svc', '/blob', { body }))) as HttpStatusError;
    expect(error.status).toBe(503);
    expect(error.message).toContain(
      'not retried: the request body is a stream, which can be sent only once (give it as bytes or a string to allow retries)',
    );
    expect(up.counts()).toEqual([1, 0]);
    expect(up.servers[0]!.seen[0]!.body).toBe('once');
  });

  it('lists the attempts of a failed call in its error: attempts, instances and outcomes', async () => {
    const dead = await harness.closedPort();
    const up = harness.track(await startUpstreams(1, (_i, _n, _req, res) => reply(res, 503, 'busy')));
    const port = up.servers[0]!.port;
    const { engine } = harness.engineOn([dead, port], {
      outlierEjection: false,
      retry: { attempts: 3, backoff: { base: 1 } },
    });
    const error = (await rejection(engine.request('GET', 'svc', '/x?token=s3cr3t'))) as ConnectionError;
    // The last attempt's failure, whatever the earlier ones were.
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.attempts).toEqual([
      {
        number: 1,
        instance: `127.0.0.1:${dead}`,
        kind: 'first',
        status: undefined,
        error: 'SC_ERR_CONNECTION',
      },
      { number: 2, instance: `127.0.0.1:${port}`, kind: 'retry', status: 503, error: 'SC_ERR_HTTP_STATUS' },
      {
        number: 3,
        instance: `127.0.0.1:${dead}`,
        kind: 'retry',
        status: undefined,
        error: 'SC_ERR_CONNECTION',
      },
    ]);
    expect(error.message).toMatch(
      new RegExp(
        `; 3 attempts: #1 127\\.0\\.0\\.1:${dead} connect-failure, #2 127\\.0\\.0\\.1:${port} 503, #3 127\\.0\\.0\\.1:${dead} connect-failure$`,
      ),
    );
    expect(error.message).not.toContain('s3cr3t');
  });
});

describe('what a call sets about its retries', () => {
  it('turns retries off with retry: false, and takes its own keys over the engine settings', async () => {
    const up = harness.track(await startUpstreams(1, (_i, _n, _req, res) => reply(res, 503, 'busy')));
    const { engine } = harness.engineOn([up.servers[0]!.port], { outlierEjection: false });
    await rejection(engine.request('GET', 'svc', '/off', { retry: false }));
    await rejection(engine.request('GET', 'svc', '/two', { retry: { attempts: 2 } }));
    await rejection(engine.request('GET', 'svc', '/not-503', { retry: { retryOn: [502] } }));
    const byPath = (path: string) => up.servers[0]!.seen.filter((r) => r.url === path).length;
    expect([byPath('/off'), byPath('/two'), byPath('/not-503')]).toEqual([1, 2, 1]);
  });

  it.each([
    [
      { attempts: 0 },
      'options.retry.attempts must be a whole number from 1 to 10 (the first attempt included), found 0',
    ],
    [
      { attempts: 1.5 },
      'options.retry.attempts must be a whole number from 1 to 10 (the first attempt included), found 1.5',
    ],
    [
      { retryOn: ['boom'] },
      'options.retry.retryOn[0] must be one of connect-failure, reset, timeout, or a status from 400 to 599, found "boom"',
    ],
    [
      { retryOn: [200] },
      'options.retry.retryOn[0] must be one of connect-failure, reset, timeout, or a status from 400 to 599, found 200',
    ],
    [
      { methods: ['get'] },
      'options.retry.methods[0] must be one of GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS (upper case), found "get"',
    ],
    [
      { backoff: { base: -1 } },
      'options.retry.backoff.base must be a number of milliseconds >= 0 and at most 2147483647, found -1',
    ],
    [
      { backoff: { base: 100, max: 10 } },
      'options.retry.backoff.max must be a number of milliseconds >= backoff.base (100), found 10',
    ],
    [
      { tries: 3 },
      "options.retry.tries must be one of the keys attempts, backoff, retryOn, methods, retryAfterMax, found the key 'tries'",
    ],
    ['3', 'options.retry must be an object of retry settings, or false, found "3"'],
  ])('refuses a bad retry option %j, naming it, before anything is sent', async (retry, message) => {
    const up = harness.track(await startUpstreams(1, (i, _n, _req, res) => ok(i, res)));
    const { engine } = harness.engineOn([up.servers[0]!.port]);
    const error = await rejection(engine.request('GET', 'svc', '/x', { retry: retry as never }));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message).toBe(`invalid request GET to service 'svc': ${message}`);
    expect(up.counts()).toEqual([0]);
  });

  it('refuses bad engine settings with a ConfigError naming the key', async () => {
    const port = await harness.closedPort();
    const cases: Array<[Record<string, unknown>, string]> = [
      [
        { retry: { attempts: -1 } },
        '<createCallEngine>: retry.attempts: expected a whole number from 1 to 10 (the first attempt included), found -1',
      ],
      [
        { retry: { retryOn: ['reset', 'slow'] } },
        '<createCallEngine>: retry.retryOn[1]: expected one of connect-failure, reset, timeout, or a status from 400 to 599, found "slow"',
      ],
      [
        { retryBudget: { percent: 150 } },
        '<createCallEngine>: retryBudget.percent: expected a number from 0 to 100 (per cent), found 150',
      ],
      [
        { retryBudget: { share: 1 } },
        "<createCallEngine>: retryBudget.share: expected one of the keys percent, minPerSecond, found the key 'share'",
      ],
      [
        { outlierEjection: { maxEjectionPercent: 101 } },
        '<createCallEngine>: outlierEjection.maxEjectionPercent: expected a number from 0 to 100 (per cent), found 101',
      ],
      [
        { outlierEjection: { consecutiveFailures: 0 } },
        '<createCallEngine>: outlierEjection.consecutiveFailures: expected a whole number of failures >= 1, found 0',
      ],
      [
        { outlierEjection: { baseEjectionTime: 1000, maxEjectionTime: 10 } },
        '<createCallEngine>: outlierEjection.maxEjectionTime: expected a number of milliseconds >= baseEjectionTime (1000), found 10',
      ],
      [
        { perTryTimeout: 0 },
        '<createCallEngine>: perTryTimeout: expected a positive number of milliseconds up to 2147483647, found 0',
      ],
      [
        { hedgeDelay: 'soon' },
        '<createCallEngine>: hedgeDelay: expected a positive number of milliseconds up to 2147483647, found the string "soon"',
      ],
      [
        { throwHttpErrors: 'no' },
        '<createCallEngine>: throwHttpErrors: expected a boolean, found the string "no"',
      ],
    ];
    for (const [options, message] of cases) {
      let caught: unknown;
      try {
        harness.engineOn([port], options);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ConfigError);
      expect((caught as Error).message).toBe(message);
    }
  });
});

describe('Retry-After', () => {
  it('waits as long as a 503 asks, up to retryAfterMax, and refuses a longer wait with the reason', async () => {
    const up = harness.track(
      await startUpstreams(1, (_i, n, req, res) => {
        if (n === 1 || req.url === '/long') {
          res.writeHead(503, { 'retry-after': req.url === '/long' ? '30' : '1' });
          res.end('later');
        } else ok(0, res);
      }),
    );
    const { engine } = harness.engineOn([up.servers[0]!.port], { outlierEjection: false });
    const started = performance.now();
    expect(await engine.request('GET', 'svc', '/short')).toEqual({ instance: 0 });
    // A lower bound only: the retry did not go before the second the answer asked for.
    expect(performance.now() - started).toBeGreaterThanOrEqual(990);
    const error = (await rejection(engine.request('GET', 'svc', '/long'))) as HttpStatusError;
    expect(error.message).toContain(
      'not retried: the answer asked to wait 30000 ms (Retry-After), more than retry.retryAfterMax (2000 ms)',
    );
    expect(up.servers[0]!.seen.filter((r) => r.url === '/long')).toHaveLength(1);
  });

  it('retries a 429 only when retryOn lists it', async () => {
    const tries = new Map<string, number>();
    const up = harness.track(
      await startUpstreams(1, (_i, _n, req, res) => {
        const path = req.url!;
        tries.set(path, (tries.get(path) ?? 0) + 1);
        if (tries.get(path) === 1) {
          res.writeHead(429, { 'retry-after': '0' });
          res.end('slow down');
        } else ok(0, res);
      }),
    );
    const { engine } = harness.engineOn([up.servers[0]!.port], { outlierEjection: false });
    expect(((await rejection(engine.request('GET', 'svc', '/a'))) as HttpStatusError).status).toBe(429);
    expect(await engine.request('GET', 'svc', '/b', { retry: { retryOn: [429] } })).toEqual({ instance: 0 });
    expect(up.counts()).toEqual([3]);
  });
});

describe('deadlines', () => {
  it('moves a call off an instance that stalls after perTryTimeout, aborting the stalled attempt', async () => {
    let aborted = 0;
    const up = harness.track(
      await startUpstreams(2, (i, _n, req, res) => {
        if (i === 0) req.socket.once('close', () => aborted++);
        else ok(i, res);
      }),
    );
    const { seen, interceptor } = watch();
    const { engine } = harness.engineOn(
      up.servers.map((s) => s.port),
      {
        interceptors: [interceptor],
        perTryTimeout: 100,
      },
    );
    expect(await engine.request('GET', 'svc', '/x')).toEqual({ instance: 1 });
    const first = seen.ctx!.attempts[0]!;
    expect(first.error).toBeInstanceOf(TimeoutError);
    expect((first.error as TimeoutError).phase).toBe('attempt');
    expect((first.error as TimeoutError).message).toBe(
      `attempt timeout of 100 ms elapsed for GET http://127.0.0.1:${up.servers[0]!.port}/x`,
    );
    // The stalled request's connection was given up, not left hanging.
    const { waitFor } = await import('../../testkit/src/wait.js');
    await waitFor(() => aborted === 1, { message: 'the stalled request to be aborted' });
  });

  it('fails with TimeoutError phase attempt when every attempt stalls, listing them', async () => {
    const up = harness.track(await startUpstreams(2, () => {}));
    const { engine } = harness.engineOn(
      up.servers.map((s) => s.port),
      {
        perTryTimeout: 50,
        retry: { attempts: 2, backoff: { base: 1 } },
      },
    );
    const error = (await rejection(engine.request('GET', 'svc', '/x'))) as TimeoutError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.phase).toBe('attempt');
    expect(error.attempts?.map((a) => a.instance)).toEqual(up.servers.map((s) => `127.0.0.1:${s.port}`));
  });

  it('bounds every attempt together by the total timeout', async () => {
    const up = harness.track(await startUpstreams(3, () => {}));
    const { engine } = harness.engineOn(
      up.servers.map((s) => s.port),
      { perTryTimeout: 100 },
    );
    const error = (await rejection(engine.request('GET', 'svc', '/x', { timeout: 150 }))) as TimeoutError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.phase).toBe('total');
    expect(error.attempts?.length).toBe(2);
  });

  it('does not wait for a retry the total timeout leaves no time for', async () => {
    const up = harness.track(
      await startUpstreams(1, (_i, _n, _req, res) => {
        res.writeHead(503, { 'retry-after': '1' });
        res.end('later');
      }),
    );
    const { engine } = harness.engineOn([up.servers[0]!.port], { outlierEjection: false });
    const error = (await rejection(engine.request('GET', 'svc', '/x', { timeout: 300 }))) as HttpStatusError;
    expect(error.status).toBe(503);
    expect(error.message).toContain(
      "not retried: the call's timeout of 300 ms leaves no time for another attempt",
    );
    expect(up.counts()).toEqual([1]);
  });

  it("stops waiting for a retry when the caller's signal aborts", async () => {
    const up = harness.track(
      await startUpstreams(1, (_i, _n, _req, res) => {
        res.writeHead(503, { 'retry-after': '2' });
        res.end('later');
      }),
    );
    const { engine } = harness.engineOn([up.servers[0]!.port], { outlierEjection: false });
    const controller = new AbortController();
    const call = engine.request('GET', 'svc', '/x', { signal: controller.signal });
    const { waitFor } = await import('../../testkit/src/wait.js');
    await waitFor(() => up.counts()[0] === 1, { message: 'the first attempt' });
    controller.abort(new Error('caller gave up'));
    expect(((await rejection(call)) as Error).message).toBe('caller gave up');
    expect(up.counts()).toEqual([1]);
  });
});

describe('the retry budget', () => {
  it('refuses retries once spent, and says so', async () => {
    const dead = await harness.closedPort();
    const up = harness.track(await startUpstreams(1, (i, _n, _req, res) => ok(i, res)));
    const { engine } = harness.engineOn([dead, up.servers[0]!.port], {
      retryBudget: { percent: 0, minPerSecond: 0 },
      outlierEjection: false,
    });
    const error = (await rejection(engine.request('GET', 'svc', '/x'))) as ConnectionError;
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toContain(
      "not retried: the retry budget of service 'svc' is spent (retries are kept to a share of its calls)",
    );
    expect(engine.snapshot().services[0]).toMatchObject({ calls: 1, retries: 0, retriesRefused: 1 });
  });

  it('keeps the attempts of a full outage below 1.3 times the calls, and the calls fail typed', async () => {
    const ports = [await harness.closedPort(), await harness.closedPort(), await harness.closedPort()];
    const transport = nodeHttpTransport({ buffered: true });
    const { engine } = harness.engineOn(ports, {}, transport);
    const calls = 600;
    let failed = 0;
    let next = 0;
    const worker = async () => {
      while (next < calls) {
        next++;
        const error = await rejection(engine.request('GET', 'svc', '/x'));
        if (error instanceof ConnectionError) failed++;
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    expect(failed).toBe(calls);
    expect(transport.sent.length).toBeLessThan(1.3 * calls);
    const service = engine.snapshot().services[0]!;
    expect(service.retriesRefused).toBeGreaterThan(0);
    expect(service.calls).toBe(calls);
  });
});

describe('raw calls', () => {
  it('retry a 503 before resolving, and resolve with the last answer when none is left', async () => {
    const up = harness.track(
      await startUpstreams(2, (i, _n, req, res) =>
        i === 0 || req.url === '/down' ? reply(res, 503, 'busy') : ok(i, res),
      ),
    );
    const { engine } = harness.engineOn(
      up.servers.map((s) => s.port),
      { outlierEjection: false },
    );
    await using good = await engine.rawRequest('GET', 'svc', '/x');
    expect(good.status).toBe(200);
    expect(await good.json()).toEqual({ instance: 1 });
    await using bad = await engine.rawRequest('GET', 'svc', '/down');
    expect(bad.status).toBe(503);
    expect(await bad.text()).toBe('busy');
  });
});

describe('through send (a transport without sendBuffered)', () => {
  it('retries a refused connection and a 503 there too, and a body that broke off', async () => {
    const up = harness.track(
      await startUpstreams(2, (i, n, _req, res) => {
        if (i === 0 && n === 1) reply(res, 503, 'busy');
        else if (i === 0 && n === 2) {
          // Headers, then the connection dies halfway through the body.
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
          res.write('{"inst');
          setTimeout(() => res.socket?.destroy(), 5);
        } else ok(i, res);
      }),
    );
    const dead = await harness.closedPort();
    const transport = nodeHttpTransport();
    const { engine } = harness.engineOn(
      [up.servers[0]!.port, dead, up.servers[1]!.port],
      { outlierEjection: false },
      transport,
    );
    expect(await engine.request('GET', 'svc', '/a')).toEqual({ instance: 1 });
    expect(await engine.request('GET', 'svc', '/b')).toEqual({ instance: 1 });
    expect(transport.buffered).toBe(0);
    expect(up.counts()).toEqual([2, 2]);
  });
});
