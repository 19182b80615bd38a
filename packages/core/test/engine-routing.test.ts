import { describe, expect, it } from 'vitest';
import {
  HttpStatusError,
  InvalidRequestError,
  type RequestContext,
  type ServiceInterceptor,
  zoneAffinity,
} from '../src/index.js';
import { rejection } from './support/engine-fixture.js';
import { reply } from './support/test-server.js';
import { engineHarness, ok, startUpstreams } from './support/upstreams.js';

const harness = engineHarness();

describe('zone affinity', () => {
  it('keeps calls in the zone while it has healthy instances, and moves them out with no failed call when they die', async () => {
    const up = harness.track(await startUpstreams(4, (i, _n, _req, res) => ok(i, res)));
    const ports = up.servers.map((s) => s.port);
    const { engine, registry } = harness.engineOn(ports, { filters: [zoneAffinity({ zone: 'a' })] });
    registry.setInstances(
      'svc',
      ports.map((port, i) => ({ host: '127.0.0.1', port, metadata: { zone: i < 2 ? 'a' : 'b' } })),
    );
    for (let k = 0; k < 40; k++) await engine.request('GET', 'svc', '/x');
    expect(up.counts()).toEqual([20, 20, 0, 0]);
    // Zone a dies: its two instances stop listening.
    await up.servers[0]!.close();
    await up.servers[1]!.close();
    let failed = 0;
    for (let k = 0; k < 40; k++) await engine.request('GET', 'svc', '/x').catch(() => failed++);
    expect(failed).toBe(0);
    expect(up.counts()[2]! + up.counts()[3]!).toBe(40);
  });

  it('uses every zone when the zone has fewer healthy instances than minInstances', async () => {
    const up = harness.track(await startUpstreams(3, (i, _n, _req, res) => ok(i, res)));
    const ports = up.servers.map((s) => s.port);
    const { engine, registry } = harness.engineOn(ports, {
      filters: [zoneAffinity({ zone: 'a', metadataKey: 'az', minInstances: 2 })],
    });
    registry.setInstances(
      'svc',
      ports.map((port, i) => ({ host: '127.0.0.1', port, metadata: { az: i === 0 ? 'a' : 'b' } })),
    );
    for (let k = 0; k < 30; k++) await engine.request('GET', 'svc', '/x');
    expect(up.counts()).toEqual([10, 10, 10]);
  });

  it('refuses a missing zone and a bad minInstances', () => {
    expect(() => zoneAffinity({} as never)).toThrow(
      '<zoneAffinity>: zone: expected a zone name, found undefined',
    );
    expect(() => zoneAffinity({ zone: 'a', minInstances: 0 })).toThrow(
      '<zoneAffinity>: minInstances: expected a whole number >= 1, found 0',
    );
  });
});

describe('re-routing in beforeRequest', () => {
  function rerouting(change: (ctx: RequestContext) => void): ServiceInterceptor {
    return { name: 'reroute', beforeRequest: change };
  }

  it('sends the call where beforeRequest sent it: another service, path and method', async () => {
    const main = harness.track(await startUpstreams(1, (i, _n, _req, res) => ok(i, res)));
    const canary = harness.track(
      await startUpstreams(1, (_i, _n, req, res) =>
        reply(res, 200, JSON.stringify({ canary: `${req.method} ${req.url}` }), 'application/json'),
      ),
    );
    const { engine, registry } = harness.engineOn([main.servers[0]!.port], {
      interceptors: [
        rerouting((ctx) => {
          ctx.serviceName = 'svc-canary';
          ctx.path = `/v2${ctx.path}`;
          ctx.method = 'POST';
        }),
      ],
    });
    registry.setInstances('svc-canary', [{ host: '127.0.0.1', port: canary.servers[0]!.port }]);
    expect(await engine.request('GET', 'svc', '/orders?id=7')).toEqual({ canary: 'POST /v2/orders?id=7' });
    expect(main.counts()).toEqual([0]);
    expect(engine.snapshot().services.map((s) => s.serviceName)).toEqual(['svc-canary']);
  });

  it.each([
    [
      (ctx: RequestContext) => {
        ctx.path = 'http://evil.example/steal';
      },
      `invalid request GET to service 'svc': ctx.path set in beforeRequest must start with '/', found "http://evil.example/steal"; absolute URLs are refused: discovery chooses the host`,
    ],
    [
      (ctx: RequestContext) => {
        ctx.path = '//evil.example/steal';
      },
      `invalid request GET to service 'svc': ctx.path set in beforeRequest must not start with '//' (a host-relative URL), found "//evil.example/steal"`,
    ],
    [
      (ctx: RequestContext) => {
        ctx.serviceName = 'evil.example:80';
      },
      `invalid request GET: ctx.serviceName set in beforeRequest must not contain '/', ':' or white space, found "evil.example:80"`,
    ],
    [
      (ctx: RequestContext) => {
        ctx.method = 'TRACE' as never;
      },
      `invalid request TRACE to service 'svc': ctx.method set in beforeRequest must be one of GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS (upper case), found the string "TRACE"`,
    ],
  ])("checks what beforeRequest set as it checks a caller's own values (%#)", async (change, message) => {
    const up = harness.track(await startUpstreams(1, (i, _n, _req, res) => ok(i, res)));
    const { engine } = harness.engineOn([up.servers[0]!.port], { interceptors: [rerouting(change)] });
    const error = await rejection(engine.request('GET', 'svc', '/x'));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message).toBe(message);
    expect(up.counts()).toEqual([0]);
  });
});

describe('throwHttpErrors for the whole engine', () => {
  it('resolves non-2xx answers with their body when the engine says so, unless a call says otherwise', async () => {
    const up = harness.track(
      await startUpstreams(1, (_i, _n, _req, res) =>
        reply(res, 404, '{"error":"no such order"}', 'application/json'),
      ),
    );
    const { engine } = harness.engineOn([up.servers[0]!.port], { throwHttpErrors: false });
    expect(await engine.request('GET', 'svc', '/x')).toEqual({ error: 'no such order' });
    const error = await rejection(engine.request('GET', 'svc', '/x', { throwHttpErrors: true }));
    expect(error).toBeInstanceOf(HttpStatusError);
  });
});
