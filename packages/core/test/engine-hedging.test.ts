import { describe, expect, it } from 'vitest';
import { waitFor } from '../../testkit/src/wait.js';
import {
  type CallAttempt,
  ConnectionError,
  type RequestContext,
  random,
  type ServiceInterceptor,
  type TimeoutError,
} from '../src/index.js';
import { rejection } from './support/engine-fixture.js';
import { nodeHttpTransport } from './support/node-http-transport.js';
import { engineHarness, ok, startUpstreams } from './support/upstreams.js';

const harness = engineHarness();

/** Keeps the context of each call, to read its attempts. */
function keep(): { contexts: RequestContext[]; interceptor: ServiceInterceptor } {
  const contexts: RequestContext[] = [];
  return {
    contexts,
    interceptor: { name: 'keep', beforeRequest: (ctx) => void contexts.push(ctx) },
  };
}

const describeAttempt = (a: CallAttempt) => [
  a.kind,
  a.instance.port,
  a.status,
  (a.error as { code?: string })?.code,
];

/** The first instance first, for every call: the hedge has somewhere else to go. */
const firstFirst = () => random({ random: () => 0 });

describe('hedging', () => {
  it('sends a second attempt elsewhere after hedgeDelay; the first answer wins and the slower attempt is aborted', async () => {
    let abandoned = 0;
    const up = harness.track(
      await startUpstreams(2, (i, _n, req, res) => {
        if (i === 0) req.socket.once('close', () => abandoned++);
        else ok(i, res);
      }),
    );
    const { contexts, interceptor } = keep();
    const { engine } = harness.engineOn(
      up.servers.map((s) => s.port),
      {
        loadBalancer: firstFirst(),
        interceptors: [interceptor],
        hedgeDelay: 50,
      },
    );
    expect(await engine.request('GET', 'svc', '/x')).toEqual({ instance: 1 });
    const [p0, p1] = up.servers.map((s) => s.port);
    expect(contexts[0]!.attempts.map(describeAttempt)).toEqual([
      ['first', p0, undefined, 'SC_ERR_ATTEMPT_CANCELLED'],
      ['hedge', p1, 200, undefined],
    ]);
    await waitFor(() => abandoned === 1, { message: 'the slower attempt to be aborted' });
    // A hedge the engine gave up is no failure of its instance.
    const slow = engine.snapshot().services[0]!.instances[0]!;
    expect([slow.attempts, slow.failures, slow.inFlight]).toEqual([1, 0, 0]);
    expect(engine.snapshot().services[0]!.retries).toBe(1);
  });

  it('sends the next attempt at once when one fails, without waiting for the delay', async () => {
    const up = harness.track(await startUpstreams(1, (i, _n, _req, res) => ok(i, res)));
    const dead = await harness.closedPort();
    const { contexts, interceptor } = keep();
    const { engine } = harness.engineOn([dead, up.servers[0]!.port], {
      loadBalancer: firstFirst(),
      interceptors: [interceptor],
      hedgeDelay: 60_000,
      outlierEjection: false,
    });
    // The timeout is far below the hedge delay: only an attempt sent at once can answer in time.
    expect(await engine.request('GET', 'svc', '/x', { timeout: 5_000 })).toEqual({ instance: 0 });
    expect(contexts[0]!.attempts.map((a) => [a.kind, a.instance.port])).toEqual([
      ['first', dead],
      ['hedge', up.servers[0]!.port],
    ]);
  });

  it('fails with the last failure, listing the attempts, when every attempt fails', async () => {
    const dead = [await harness.closedPort(), await harness.closedPort()];
    const { engine } = harness.engineOn(dead, {
      hedgeDelay: 10,
      retry: { attempts: 2 },
      outlierEjection: false,
    });
    const error = (await rejection(engine.request('GET', 'svc', '/x'))) as ConnectionError;
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.attempts?.map((a) => a.kind)).toEqual(['first', 'hedge']);
  });

  it('hedges only idempotent calls whose body can be sent again', async () => {
    const up = harness.track(await startUpstreams(2, () => {}));
    const transport = nodeHttpTransport({ buffered: true });
    const { engine } = harness.engineOn(
      up.servers.map((s) => s.port),
      { hedgeDelay: 10 },
      transport,
    );
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array([1]));
        controller.close();
      },
    });
    for (const [method, body] of [
      ['POST', 'x'],
      ['PUT', stream],
    ] as const) {
      const error = (await rejection(
        engine.request(method, 'svc', '/x', { body, timeout: 150 }),
      )) as TimeoutError;
      expect(error.phase).toBe('total');
    }
    expect(transport.sent).toHaveLength(2);
  });

  it('takes each hedge from the retry budget: none goes when it is spent', async () => {
    const up = harness.track(
      await startUpstreams(2, (i, _n, _req, res) => {
        setTimeout(() => ok(i, res), 100);
      }),
    );
    const { contexts, interceptor } = keep();
    const { engine } = harness.engineOn(
      up.servers.map((s) => s.port),
      {
        interceptors: [interceptor],
        hedgeDelay: 10,
        retryBudget: { percent: 0, minPerSecond: 0 },
      },
    );
    expect(await engine.request('GET', 'svc', '/x')).toEqual({ instance: 0 });
    expect(contexts[0]!.attempts).toHaveLength(1);
    expect(engine.snapshot().services[0]!.retriesRefused).toBeGreaterThan(0);
  });

  it('hedges raw calls too: the first response wins, the other is aborted', async () => {
    let abandoned = 0;
    const up = harness.track(
      await startUpstreams(2, (i, _n, req, res) => {
        if (i === 0) req.socket.once('close', () => abandoned++);
        else ok(i, res);
      }),
    );
    const { engine } = harness.engineOn(
      up.servers.map((s) => s.port),
      { loadBalancer: firstFirst(), hedgeDelay: 20 },
    );
    await using response = await engine.rawRequest('GET', 'svc', '/x');
    expect(await response.json()).toEqual({ instance: 1 });
    await waitFor(() => abandoned === 1, { message: 'the slower raw attempt to be aborted' });
  });

  it('lets a call turn a configured delay off with hedgeDelay: false', async () => {
    const up = harness.track(await startUpstreams(2, (i, _n, _req, res) => setTimeout(() => ok(i, res), 60)));
    const { contexts, interceptor } = keep();
    const { engine } = harness.engineOn(
      up.servers.map((s) => s.port),
      { interceptors: [interceptor], hedgeDelay: 5 },
    );
    await engine.request('GET', 'svc', '/x', { hedgeDelay: false });
    expect(contexts[0]!.attempts).toHaveLength(1);
  });
});
