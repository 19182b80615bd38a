import type { RawResponse, Transport } from '@service-caller/core';
import { afterEach, describe, expect, it } from 'vitest';
import { closedPort, startTestService, type TestService } from '../src/index.js';

let service: TestService | undefined;

afterEach(async () => {
  await service?.close();
  service = undefined;
});

describe('startTestService', () => {
  it('answers by route with JSON and keeps every request it received', async () => {
    service = await startTestService();
    const base = `http://${service.host}:${service.port}`;
    const ok = await fetch(`${base}/hello?x=1`, { headers: { 'x-request-id': 'r1' } });
    expect([ok.status, await ok.json()]).toEqual([200, { ok: true }]);
    const failed = await fetch(`${base}/status/503`, { method: 'POST', body: 'b' });
    expect([failed.status, await failed.json()]).toEqual([503, { status: 503 }]);
    const started = performance.now();
    const delayed = await fetch(`${base}/delay/50`);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(await delayed.json()).toEqual({ ok: true });

    expect(service.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /hello?x=1',
      'POST /status/503',
      'GET /delay/50',
    ]);
    expect(service.only('/hello?x=1').headers['x-request-id']).toBe('r1');
    expect(() => service!.only('/missing')).toThrow('expected one request to /missing, found 0');
  });

  it('closes with a delayed request pending, twice without harm', async () => {
    service = await startTestService();
    const pending = fetch(`http://127.0.0.1:${service.port}/delay/60000`).catch((e: unknown) => e);
    await expect.poll(() => service!.requests.length).toBe(1);
    await service.close();
    await service.close();
    expect(await pending).toBeInstanceOf(Error);
  });

  it('callEngine: a real engine whose registry lists the service, closed with it', async () => {
    service = await startTestService({ name: 'svc' });
    const port = await closedPort();
    const sent: string[] = [];
    const engine = service.callEngine({
      transport: fetchTransport(sent),
      interceptors: [
        {
          name: 'mark',
          beforeRequest: (ctx) => {
            ctx.options.headers = { ...ctx.options.headers, 'x-mark': 'm' };
          },
        },
      ],
      services: { gone: [{ host: '127.0.0.1', port }] },
    });
    await expect(engine.request('GET', 'svc', '/status/200')).resolves.toEqual({ status: 200 });
    expect(service.only('/status/200').headers['x-mark']).toBe('m');
    await expect(engine.request('GET', 'gone', '/x')).rejects.toThrow();
    expect(sent).toEqual([`http://127.0.0.1:${service.port}/status/200`, `http://127.0.0.1:${port}/x`]);
    await service.close();
    await expect(engine.request('GET', 'svc', '/')).rejects.toThrow(/closed/);
  });

  it('closedPort gives a port that refuses connections', async () => {
    const port = await closedPort();
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
  });
});

/** Just enough of a transport over the global fetch to drive the engine (the real ones are packages of their own). */
function fetchTransport(sent: string[]): Transport {
  return {
    name: 'test-fetch',
    async send(request) {
      const url = request.origin + request.path;
      sent.push(url);
      const res = await fetch(url, {
        method: request.method,
        headers: request.headers,
        signal: request.signal,
      });
      const text = await res.text();
      const raw = {
        status: res.status,
        statusText: res.statusText,
        headers: Object.fromEntries(res.headers),
        url,
        bodyUsed: false,
        body: null,
        json: async () => JSON.parse(text),
        text: async () => text,
        bytes: async () => new TextEncoder().encode(text),
        arrayBuffer: async () => new TextEncoder().encode(text).buffer,
        dispose: async () => {},
        [Symbol.asyncDispose]: async () => {},
      };
      return raw as unknown as RawResponse;
    },
    close: async () => {},
  };
}
