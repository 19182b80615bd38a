import { describe, expect, it } from 'vitest';
import {
  createClient,
  endpoint,
  type HttpStatusError,
  type RequestContext,
  random,
} from '../../src/index.js';
import { rejection } from '../support/engine-fixture.js';
import { reply } from '../support/test-server.js';
import { engineHarness, ok, startUpstreams } from '../support/upstreams.js';

const harness = engineHarness();

/** Two instances of `svc`: the first answers 503 to everything, the second 200. */
async function oneBroken() {
  const up = harness.track(
    await startUpstreams(2, (i, _n, _req, res) => (i === 0 ? reply(res, 503, 'busy') : ok(i, res))),
  );
  const seen: RequestContext[] = [];
  const { engine } = harness.engineOn(
    up.servers.map((s) => s.port),
    {
      outlierEjection: false,
      // Every call starts on the broken one; only a retry reaches the other.
      loadBalancer: random({ random: () => 0 }),
      interceptors: [{ name: 'keep', beforeRequest: (ctx) => void seen.push(ctx) }],
    },
  );
  return { up, engine, seen };
}

describe("a declarative endpoint's retry, perTryTimeout and hedgeDelay", () => {
  it('retries a POST its endpoint declares safe to repeat, and only that one', async () => {
    const { up, engine } = await oneBroken();
    const orders = createClient(engine, 'svc', {
      place: endpoint.post('/orders', { defaults: { retry: { methods: ['POST'] } } }),
      cancel: endpoint.post('/cancel'),
    });
    expect(await orders.place({ body: { n: 1 } })).toEqual({ instance: 1 });
    const error = (await rejection(orders.cancel({ body: { n: 2 } }))) as HttpStatusError;
    expect(error.status).toBe(503);
    expect(up.servers[0]!.seen.map((r) => r.url)).toEqual(['/orders', '/cancel']);
  });

  it('takes the call over the endpoint over the client, key by key', async () => {
    const { up, engine, seen } = await oneBroken();
    const client = createClient(
      engine,
      'svc',
      {
        one: endpoint.get('/one'),
        off: endpoint.get('/off', { defaults: { retry: false } }),
        two: endpoint.get('/two', { defaults: { retry: { attempts: 2 } } }),
      },
      { retry: { attempts: 1, retryOn: [503] }, perTryTimeout: 5_000 },
    );
    // The client's attempts: 1.
    await rejection(client.one());
    await rejection(client.off());
    // The endpoint's attempts: 2, over the client's 1 (and the client's retryOn kept).
    expect(await client.two()).toEqual({ instance: 1 });
    // The call's own settings win over both.
    expect(await client.off({ retry: { attempts: 3 } })).toEqual({ instance: 1 });
    const byPath = (path: string) => up.servers.map((s) => s.seen.filter((r) => r.url === path).length);
    expect([byPath('/one'), byPath('/two'), byPath('/off')]).toEqual([
      [1, 0],
      [1, 1],
      [2, 1],
    ]);
    expect(seen.map((ctx) => ctx.options.perTryTimeout)).toEqual([5_000, 5_000, 5_000, 5_000]);
  });

  it('passes perTryTimeout and hedgeDelay on to the engine', async () => {
    const up = harness.track(
      await startUpstreams(2, (i, _n, _req, res) => {
        if (i === 1) ok(i, res);
      }),
    );
    const { engine } = harness.engineOn(up.servers.map((s) => s.port));
    const client = createClient(engine, 'svc', {
      bounded: endpoint.get('/bounded', { defaults: { perTryTimeout: 50 } }),
      hedged: endpoint.get('/hedged', { defaults: { hedgeDelay: 20 } }),
    });
    expect(await client.bounded()).toEqual({ instance: 1 });
    expect(await client.hedged()).toEqual({ instance: 1 });
  });
});
