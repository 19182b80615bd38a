import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
// testkit depends on core, so core's tests take waitFor from its source rather than the package.
import { waitFor } from '../../testkit/src/wait.js';
import {
  type CallEngine,
  type CallEngineOptions,
  ClosedError,
  ConfigError,
  ConnectionError,
  createCallEngine,
  type HttpMethod,
  HttpStatusError,
  InvalidRequestError,
  type RawResponse,
  RegistryError,
  ResponseParseError,
  roundRobin,
  type ServiceDiscovery,
  type ServiceInstance,
  ServiceUnavailableError,
  silentLogger,
  staticRegistry,
  TimeoutError,
} from '../src/index.js';
import type { Echo, EchoServer } from './support/echo-server.js';
import { startEchoServer } from './support/echo-server.js';
import { closedPort, engineFixture, rejection } from './support/engine-fixture.js';
import { nodeHttpTransport } from './support/node-http-transport.js';
import { recordingBalancer, recordingLogger } from './support/recording.js';

const fixture = engineFixture();
const setup = fixture.setup.bind(fixture);
let server: EchoServer;
let other: EchoServer;

beforeAll(async () => {
  server = fixture.server;
  other = await startEchoServer();
});

afterAll(async () => {
  await other.close();
});

describe('methods and request building', () => {
  it.each(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as HttpMethod[])(
    'sends %s and parses the JSON answer',
    async (method) => {
      const { engine } = setup();
      const echo = (await engine.request(method, 'echo', '/echo/path')) as Echo;
      expect(echo.method).toBe(method);
      expect(echo.url).toBe('/echo/path');
    },
  );

  it('sends HEAD and resolves with undefined although the answer announces a JSON body', async () => {
    const { engine } = setup();
    const before = server.seen.length;
    await expect(engine.request('HEAD', 'echo', '/echo/head')).resolves.toBeUndefined();
    expect(server.seen.slice(before).map((r) => r.method)).toEqual(['HEAD']);
    const raw = await engine.rawRequest('HEAD', 'echo', '/echo/head');
    expect(raw.status).toBe(200);
    expect(raw.headers['content-type']).toContain('application/json');
    await raw.dispose();
  });

  it('builds the query from an object: arrays repeat, undefined and null are dropped, all encoded', async () => {
    const { engine } = setup();
    const echo = (await engine.request('GET', 'echo', '/echo', {
      query: { a: 1, b: ['x', 'y z'], c: undefined, d: null, e: true, 'k&=': 'a&b=c/ü?#', n: -1.5 },
    })) as Echo;
    expect(echo.url).toBe('/echo?a=1&b=x&b=y%20z&e=true&k%26%3D=a%26b%3Dc%2F%C3%BC%3F%23&n=-1.5');
  });

  it('appends the query to one already in the path', async () => {
    const { engine } = setup();
    const get = async (path: string, query: Record<string, string> | URLSearchParams) =>
      ((await engine.request('GET', 'echo', path, { query })) as Echo).url;
    expect(await get('/echo?z=0', { a: '1' })).toBe('/echo?z=0&a=1');
    expect(await get('/echo?', { a: '1' })).toBe('/echo?a=1');
    expect(await get('/echo?z=0&', { a: '1' })).toBe('/echo?z=0&a=1');
    expect(await get('/echo?z=0', new URLSearchParams({ q: 'a b', r: 'é' }))).toBe(
      '/echo?z=0&q=a+b&r=%C3%A9',
    );
    expect(await get('/echo?z=0', {})).toBe('/echo?z=0');
    expect(await get('/echo', new URLSearchParams())).toBe('/echo');
  });

  it('sends json with content-type application/json, keeping a content-type the caller set', async () => {
    const { engine } = setup();
    const headers = { 'x-trace': 'abc' };
    const echo = (await engine.request('POST', 'echo', '/echo', { json: { a: [1, 'ü'] }, headers })) as Echo;
    expect(JSON.parse(echo.body)).toEqual({ a: [1, 'ü'] });
    expect(echo.headers['content-type']).toBe('application/json');
    expect(echo.headers['x-trace']).toBe('abc');
    expect(headers).toEqual({ 'x-trace': 'abc' });

    const custom = (await engine.request('PUT', 'echo', '/echo', {
      json: null,
      headers: { 'Content-Type': 'application/merge-patch+json' },
    })) as Echo;
    expect(custom.body).toBe('null');
    expect(custom.headers['content-type']).toBe('application/merge-patch+json');
  });

  it('sends a body as given: string, bytes, ArrayBuffer, URLSearchParams and a stream', async () => {
    const { engine } = setup();
    const send = async (body: NonNullable<Parameters<CallEngine['request']>[3]>['body']) =>
      ((await engine.request('POST', 'echo', '/echo', { body })) as Echo).body;
    expect(await send('plain text')).toBe('plain text');
    expect(await send(new TextEncoder().encode('bytes'))).toBe('bytes');
    expect(await send(new TextEncoder().encode('buffer').buffer as ArrayBuffer)).toBe('buffer');
    expect(await send(new URLSearchParams({ a: '1', b: 'x y' }))).toBe('a=1&b=x+y');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('str'));
        controller.enqueue(new TextEncoder().encode('eam'));
        controller.close();
      },
    });
    expect(await send(stream)).toBe('stream');
  });

  it('percent-encodes non-ASCII characters of the path and leaves the rest as written', async () => {
    const { engine } = setup();
    const echo = (await engine.request('GET', 'echo', '/echo/café/%41?q=ü')) as Echo;
    expect(echo.url).toBe('/echo/caf%C3%A9/%41?q=%C3%BC');
  });

  it('resolves the URL from the chosen instance, with brackets for an IPv6 host', async () => {
    const v6 = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('over ipv6');
    });
    await new Promise<void>((resolve) => v6.listen(0, '::1', resolve));
    try {
      const { engine, registry } = setup();
      registry.setInstances('v6', [{ host: '::1', port: (v6.address() as AddressInfo).port }]);
      let url: string | undefined;
      engine.addInterceptor({
        name: 'url',
        afterResponse: (ctx) => {
          url = ctx.resolvedUrl;
        },
      });
      await expect(engine.request('GET', 'v6', '/x?y=1')).resolves.toBe('over ipv6');
      expect(url).toBe(`http://[::1]:${(v6.address() as AddressInfo).port}/x?y=1`);
    } finally {
      v6.closeAllConnections();
      await new Promise<void>((resolve) => v6.close(() => resolve()));
    }
  });
});

describe('responses', () => {
  it('parses by content type: JSON, +json, text, bytes, and empty as undefined', async () => {
    const { engine } = setup();
    expect(await engine.request('GET', 'echo', '/json')).toEqual({ a: 1, list: [1, 2] });
    expect(await engine.request('GET', 'echo', '/problem')).toEqual({ title: 'x' });
    expect(await engine.request('GET', 'echo', '/json-upper')).toEqual({ upper: true });
    expect(await engine.request('GET', 'echo', '/text')).toBe('hello, wörld');
    expect(await engine.request('GET', 'echo', '/html')).toBe('<p>hi</p>');
    expect(await engine.request('GET', 'echo', '/bytes')).toEqual(new Uint8Array([1, 2, 3, 250]));
    expect(await engine.request('GET', 'echo', '/no-type')).toEqual(new Uint8Array([7, 8]));
    expect(await engine.request('GET', 'echo', '/status/204')).toBeUndefined();
    expect(await engine.request('GET', 'echo', '/empty-json')).toBeUndefined();
    expect(await engine.request('GET', 'echo', '/empty-chunked')).toBeUndefined();
  });

  it('throws ResponseParseError for a 2xx body announced as JSON that is not', async () => {
    const { engine } = setup();
    const error = (await rejection(engine.request('GET', 'echo', '/invalid-json'))) as ResponseParseError;
    expect(error).toBeInstanceOf(ResponseParseError);
    expect(error.code).toBe('SC_ERR_RESPONSE_PARSE');
    expect(error.status).toBe(200);
    expect(error.text).toBe('{oops');
    expect(error.contentType).toBe('application/json');
    expect(error.url).toBe(`http://127.0.0.1:${server.port}/invalid-json`);
    expect(error.cause).toBeInstanceOf(SyntaxError);
    expect(error.message).not.toContain('{oops');
  });

  it('throws HttpStatusError for a non-2xx status, with status, parsed body, service, method and url', async () => {
    const { engine } = setup();
    const error = (await rejection(engine.request('POST', 'echo', '/status/404?x=1'))) as HttpStatusError;
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(error.status).toBe(404);
    expect(error.statusText).toBe('Not Found');
    expect(error.body).toEqual({ status: 404, message: 'as asked' });
    expect(error.serviceName).toBe('echo');
    expect(error.method).toBe('POST');
    // The query string is left out: it may carry tokens.
    expect(error.url).toBe(`http://127.0.0.1:${server.port}/status/404`);

    const text = (await rejection(engine.request('GET', 'echo', '/error-text'))) as HttpStatusError;
    expect([text.status, text.body]).toEqual([500, 'it broke']);
    // An error page that claims to be JSON but is not keeps its text; the status is what matters.
    const html = (await rejection(engine.request('GET', 'echo', '/error-invalid-json'))) as HttpStatusError;
    expect([html.status, html.body]).toEqual([502, '<html>bad gateway</html>']);
    const redirect = (await rejection(engine.request('GET', 'echo', '/status/304'))) as HttpStatusError;
    expect([redirect.status, redirect.body]).toEqual([304, undefined]);
  });

  it('never shows the query string in an HttpStatusError: message, url and toString()', async () => {
    const { engine } = setup({ retry: false });
    const error = (await rejection(
      engine.request('GET', 'echo', '/status/503?access_token=s3cr3t', { query: { api_key: 'k3y' } }),
    )) as HttpStatusError;
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(error.status).toBe(503);
    const shown = [error.message, error.url, String(error), JSON.stringify(error), error.stack ?? ''];
    for (const text of shown) {
      expect(text).not.toContain('s3cr3t');
      expect(text).not.toContain('k3y');
    }
    expect(error.message).toBe(
      `GET http://127.0.0.1:${server.port}/status/503 (service 'echo') failed with status 503 Service Unavailable`,
    );
    // Built by hand (a third-party transport or interceptor) it strips the query as well.
    const byHand = new HttpStatusError({
      status: 500,
      body: undefined,
      serviceName: 's',
      method: 'GET',
      url: 'http://10.0.0.1:80/x?token=t0ken',
    });
    expect([byHand.url, byHand.message.includes('t0ken')]).toEqual(['http://10.0.0.1:80/x', false]);
  });

  it('resolves with the parsed body of any status when throwHttpErrors is false', async () => {
    const { engine } = setup();
    await expect(engine.request('GET', 'echo', '/status/503', { throwHttpErrors: false })).resolves.toEqual({
      status: 503,
      message: 'as asked',
    });
  });

  it('resolves raw calls with the unread response, whatever the status', async () => {
    const { engine } = setup();
    const ok = await engine.rawRequest('GET', 'echo', '/json');
    expect(ok.status).toBe(200);
    expect(ok.bodyUsed).toBe(false);
    expect(await ok.json()).toEqual({ a: 1, list: [1, 2] });

    const failed = await engine.rawRequest('GET', 'echo', '/status/500');
    expect(failed.status).toBe(500);
    expect(await failed.text()).toContain('as asked');

    let kept: RawResponse | undefined;
    {
      await using scoped = await engine.rawRequest('GET', 'echo', '/bytes');
      kept = scoped;
      expect(scoped.bodyUsed).toBe(false);
    }
    expect(kept.bodyUsed).toBe(true);
  });
});

describe('failures', () => {
  it('throws ServiceUnavailableError for a service with no instances, sending nothing', async () => {
    const { engine, transport, registry } = setup();
    const error = (await rejection(engine.request('GET', 'nobody', '/x'))) as ServiceUnavailableError;
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error.serviceName).toBe('nobody');
    expect(error.message).toContain("no instance is registered in the 'static' registry");
    registry.setInstances('empty', []);
    await expect(engine.request('GET', 'empty', '/x')).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(transport.sent).toHaveLength(0);
  });

  it('throws ServiceUnavailableError when every instance is unhealthy', async () => {
    const sick: ServiceInstance = Object.freeze({
      id: 'a',
      serviceName: 'sick',
      host: '127.0.0.1',
      port: server.port,
      weight: 1,
      healthy: false,
      metadata: {},
    });
    const list = Object.freeze([sick]);
    const { engine, transport } = setup({
      discovery: { name: 'fixed', getInstances: async () => list, getCachedInstances: () => list },
    });
    await expect(engine.request('GET', 'sick', '/x')).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(transport.sent).toHaveLength(0);
  });

  it('passes a ConnectionError from the transport through', async () => {
    const { engine, registry } = setup();
    registry.setInstances('down', [{ host: '127.0.0.1', port: await closedPort() }]);
    await expect(engine.request('GET', 'down', '/x')).rejects.toBeInstanceOf(ConnectionError);
  });

  it('uses https for an instance marked secure unless the call says otherwise', async () => {
    const { engine, registry } = setup();
    registry.setInstances('tls', [{ host: '127.0.0.1', port: server.port, secure: true }]);
    const urls: (string | undefined)[] = [];
    engine.addInterceptor({ name: 'url', afterResponse: (ctx) => void urls.push(ctx.resolvedUrl) });
    // The server speaks plain HTTP, so the TLS handshake fails: the URL is what matters here.
    await expect(engine.request('GET', 'tls', '/echo')).rejects.toBeInstanceOf(ConnectionError);
    expect(((await engine.request('GET', 'tls', '/echo', { protocol: 'http' })) as Echo).method).toBe('GET');
    await expect(engine.request('GET', 'echo', '/echo', { protocol: 'https' })).rejects.toBeInstanceOf(
      ConnectionError,
    );
    expect(urls).toEqual([
      `https://127.0.0.1:${server.port}/echo`,
      `http://127.0.0.1:${server.port}/echo`,
      `https://127.0.0.1:${server.port}/echo`,
    ]);
  });

  it('fails with TimeoutError phase total when the answer takes longer than timeout', async () => {
    const { engine } = setup();
    const error = (await rejection(
      engine.request('GET', 'echo', '/hang?token=t', { timeout: 100 }),
    )) as TimeoutError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.phase).toBe('total');
    expect(error.timeoutMs).toBe(100);
    expect(error.message).toBe(
      `total timeout of 100 ms elapsed for GET http://127.0.0.1:${server.port}/hang`,
    );
  });

  it('applies the engine default timeout, and a call timeout overrides it', async () => {
    const { engine } = setup({ timeout: 80 });
    const error = (await rejection(engine.request('GET', 'echo', '/hang'))) as TimeoutError;
    expect([error.phase, error.timeoutMs]).toEqual(['total', 80]);
    const override = (await rejection(
      engine.request('GET', 'echo', '/hang', { timeout: 120 }),
    )) as TimeoutError;
    expect(override.timeoutMs).toBe(120);
    await expect(engine.request('GET', 'echo', '/json')).resolves.toEqual({ a: 1, list: [1, 2] });
  });

  it('bounds reading the body with the total timeout', async () => {
    const { engine } = setup();
    const error = (await rejection(
      engine.request('GET', 'echo', '/hang-body', { timeout: 150 }),
    )) as TimeoutError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.phase).toBe('total');
  });

  it('keeps bounding a raw body after the raw call resolved', async () => {
    const { engine } = setup();
    const response = await engine.rawRequest('GET', 'echo', '/hang-body', { timeout: 150 });
    expect(response.status).toBe(200);
    const error = (await rejection(response.text())) as TimeoutError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.phase).toBe('total');
  });

  describe("a raw call's total timeout", () => {
    /** The engine's deadline timer, told apart from everyone else's by its unusual delay. */
    const DEADLINE_MS = 43_210;

    /**
     * Watches the timers made with DEADLINE_MS. `numbers` makes setTimeout hand out numbers, as
     * it does on Deno and workerd, where a timer has no `unref()`.
     */
    function watchDeadlineTimers(numbers: boolean) {
      const realSetTimeout = globalThis.setTimeout;
      const realClearTimeout = globalThis.clearTimeout;
      const live = new Set<unknown>();
      const made: unknown[] = [];
      vi.stubGlobal('setTimeout', (fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
        const timer = realSetTimeout(fn, ms, ...args);
        if (ms !== DEADLINE_MS) return timer;
        const handle = numbers ? Number(timer) : timer;
        made.push(handle);
        live.add(handle);
        return handle;
      });
      vi.stubGlobal('clearTimeout', (timer: unknown) => {
        live.delete(timer);
        realClearTimeout(timer as Parameters<typeof clearTimeout>[0]);
      });
      return { live, made };
    }

    afterEach(() => {
      vi.unstubAllGlobals();
    });

    it('is cleared once the body has been read, disposed or streamed to its end', async () => {
      const { engine } = setup();
      const timers = watchDeadlineTimers(false);
      const read = await engine.rawRequest('GET', 'echo', '/json', { timeout: DEADLINE_MS });
      expect(timers.made).toHaveLength(1);
      // Still bounding the body while it is unread.
      expect(timers.live.size).toBe(1);
      expect(await read.json()).toEqual({ a: 1, list: [1, 2] });
      expect(timers.live.size).toBe(0);

      const disposed = await engine.rawRequest('GET', 'echo', '/json', { timeout: DEADLINE_MS });
      await disposed.dispose();
      const streamed = await engine.rawRequest('GET', 'echo', '/bytes', { timeout: DEADLINE_MS });
      const reader = streamed.body!.getReader();
      for (let step = await reader.read(); !step.done; step = await reader.read()) {
        expect(step.value.byteLength).toBeGreaterThan(0);
      }
      const abort = new AbortController();
      const failed = await engine.rawRequest('GET', 'echo', '/hang-body', {
        timeout: DEADLINE_MS,
        signal: abort.signal,
      });
      const reading = failed.text();
      abort.abort(new Error('reader gave up'));
      expect(((await rejection(reading)) as Error).message).toBe('reader gave up');
      expect(timers.made).toHaveLength(4);
      expect(timers.live.size).toBe(0);
    });

    it('works where setTimeout returns a number (Deno, workerd)', async () => {
      const { engine } = setup();
      const timers = watchDeadlineTimers(true);
      const res = await engine.rawRequest('GET', 'echo', '/json', { timeout: DEADLINE_MS });
      expect(typeof timers.made[0]).toBe('number');
      expect(await res.json()).toEqual({ a: 1, list: [1, 2] });
      expect(timers.live.size).toBe(0);
    });
  });

  it("rejects with the signal's reason, unchanged, when the caller aborts", async () => {
    const { engine } = setup();
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const call = engine.request('GET', 'echo', '/hang', { signal: controller.signal, timeout: 60_000 });
    await waitFor(() => server.seen.some((r) => r.url === '/hang' && r.method === 'GET'), {
      message: 'the server seeing the call',
    });
    controller.abort(reason);
    expect(await rejection(call)).toBe(reason);

    const plain = new AbortController();
    const plainCall = engine.request('GET', 'echo', '/hang', { signal: plain.signal });
    await waitFor(() => server.seen.filter((r) => r.url === '/hang').length >= 2, {
      message: 'the server seeing the second call',
    });
    plain.abort();
    const abortError = (await rejection(plainCall)) as DOMException;
    expect(abortError.name).toBe('AbortError');
    expect(abortError).toBe(plain.signal.reason);
  });

  it('rejects at once with the reason of a signal aborted before the call, sending nothing', async () => {
    const { engine, transport } = setup();
    const reason = new Error('already aborted');
    const signal = AbortSignal.abort(reason);
    expect(await rejection(engine.request('GET', 'echo', '/json', { signal }))).toBe(reason);
    expect(await rejection(engine.request('GET', 'echo', '/json', { signal, timeout: 1000 }))).toBe(reason);
    expect(transport.sent).toHaveLength(0);
  });

  it('tells our deadline from a caller signal that never fires', async () => {
    const { engine } = setup();
    const controller = new AbortController();
    const error = await rejection(
      engine.request('GET', 'echo', '/hang', { signal: controller.signal, timeout: 80 }),
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect(controller.signal.aborted).toBe(false);
  });
});

describe('discovery', () => {
  /** An in-memory discovery that counts how often it is asked, like a registry client with a cache. */
  function countingDiscovery(instances: readonly ServiceInstance[]) {
    const cache = new Map<string, readonly ServiceInstance[]>();
    const counts = { getInstances: 0, getCachedInstances: 0 };
    const discovery: ServiceDiscovery = {
      name: 'counting',
      async getInstances(serviceName) {
        counts.getInstances++;
        cache.set(serviceName, instances);
        return instances;
      },
      getCachedInstances(serviceName) {
        counts.getCachedInstances++;
        return cache.get(serviceName);
      },
    };
    return { discovery, counts };
  }

  const instance = (port: number): ServiceInstance =>
    Object.freeze({
      id: `x:${port}`,
      serviceName: 'echo',
      host: '127.0.0.1',
      port,
      weight: 1,
      healthy: true,
      metadata: {},
    });

  it('asks the registry once, then answers from its cache', async () => {
    const { discovery, counts } = countingDiscovery(Object.freeze([instance(server.port)]));
    const { engine } = setup({ discovery });
    for (let i = 0; i < 3; i++) await engine.request('GET', 'echo', '/json');
    expect(counts).toEqual({ getInstances: 1, getCachedInstances: 3 });
  });

  it('works with a discovery without getCachedInstances', async () => {
    const list = Object.freeze([instance(server.port)]);
    const { engine } = setup({ discovery: { name: 'plain', getInstances: async () => list } });
    await expect(engine.request('GET', 'echo', '/json')).resolves.toEqual({ a: 1, list: [1, 2] });
  });

  it('wraps a plain registry failure in RegistryError and passes typed ones through', async () => {
    const cause = new Error('socket hang up');
    const { engine } = setup({
      discovery: {
        name: 'flaky',
        getInstances: async (serviceName) => {
          if (serviceName === 'typed') throw new RegistryError('flaky', 'bad credentials');
          throw cause;
        },
      },
    });
    const error = (await rejection(engine.request('GET', 'svc', '/x'))) as RegistryError;
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.registry).toBe('flaky');
    expect(error.message).toBe("[flaky] could not look up the instances of service 'svc'");
    expect(error.cause).toBe(cause);
    const typed = (await rejection(engine.request('GET', 'typed', '/x'))) as RegistryError;
    expect(typed.message).toBe('[flaky] bad credentials');
  });

  it('bounds a first lookup that never answers with the call timeout and signal, passing the signal on', async () => {
    let seenSignal: AbortSignal | undefined;
    const { engine } = setup({
      discovery: {
        name: 'stuck',
        getInstances: (_name, options) => {
          seenSignal = options?.signal;
          return new Promise(() => {});
        },
      },
    });
    const error = (await rejection(engine.request('GET', 'svc', '/x', { timeout: 80 }))) as TimeoutError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toBe("total timeout of 80 ms elapsed for GET service 'svc'");
    expect(seenSignal?.aborted).toBe(true);

    const controller = new AbortController();
    const call = engine.request('GET', 'svc', '/x', { signal: controller.signal });
    await waitFor(() => seenSignal === controller.signal, { message: 'the lookup receiving the signal' });
    controller.abort('stop');
    expect(await rejection(call)).toBe('stop');
  });

  it('follows changes of the instance list between calls', async () => {
    const { engine, registry } = setup();
    registry.setInstances('moving', [{ host: '127.0.0.1', port: server.port }]);
    await engine.request('GET', 'moving', '/echo/1');
    registry.setInstances('moving', [{ host: '127.0.0.1', port: other.port }]);
    await engine.request('GET', 'moving', '/echo/2');
    registry.setInstances('moving', [
      { host: '127.0.0.1', port: server.port },
      { host: '127.0.0.1', port: other.port },
    ]);
    await engine.request('GET', 'moving', '/echo/3');
    await engine.request('GET', 'moving', '/echo/4');
    const on = (s: EchoServer) => s.seen.filter((r) => r.url.startsWith('/echo/')).map((r) => r.url);
    expect(on(server)).toEqual(expect.arrayContaining(['/echo/1']));
    expect(on(other)).toEqual(expect.arrayContaining(['/echo/2']));
    expect([...on(server), ...on(other)].filter((u) => u === '/echo/3' || u === '/echo/4')).toHaveLength(2);
    expect(on(server).includes('/echo/3') !== on(server).includes('/echo/4')).toBe(true);
  });
});

describe('feedback to the balancer', () => {
  it('calls done exactly once per attempt, with the error of a failed attempt', async () => {
    const balancer = recordingBalancer();
    const { engine, registry } = setup({ loadBalancer: balancer, retry: false });
    await engine.request('GET', 'echo', '/json');
    await rejection(engine.request('GET', 'echo', '/status/503'));
    await rejection(engine.request('GET', 'echo', '/status/404'));
    await engine.request('GET', 'echo', '/status/500', { throwHttpErrors: false });
    const raw = await engine.rawRequest('GET', 'echo', '/status/502');
    await raw.dispose();
    await rejection(engine.request('GET', 'echo', '/hang', { timeout: 50 }));
    registry.setInstances('down', [{ host: '127.0.0.1', port: await closedPort() }]);
    await rejection(engine.request('GET', 'down', '/x'));

    expect(balancer.picks.map((p) => p.outcomes.length)).toEqual([1, 1, 1, 1, 1, 1, 1]);
    const errors = balancer.picks.map((p) => p.outcomes[0]!.error);
    expect(errors[0]).toBeUndefined();
    expect((errors[1] as HttpStatusError).status).toBe(503);
    // A 4xx is the caller's doing, not the instance's.
    expect(errors[2]).toBeUndefined();
    expect((errors[3] as HttpStatusError).status).toBe(500);
    expect((errors[4] as HttpStatusError).status).toBe(502);
    expect(errors[5]).toBeInstanceOf(TimeoutError);
    expect(errors[6]).toBeInstanceOf(ConnectionError);
    for (const pick of balancer.picks) expect(pick.outcomes[0]!.latencyMs).toBeGreaterThanOrEqual(0);
    expect(balancer.contexts[0]!.serviceName).toBe('echo');
  });

  it('logs a done callback that throws and keeps the call outcome', async () => {
    const logger = recordingLogger();
    const { engine } = setup({ loadBalancer: recordingBalancer({ doneThrows: true }), logger });
    await expect(engine.request('GET', 'echo', '/json')).resolves.toEqual({ a: 1, list: [1, 2] });
    expect(logger.entries.map((e) => [e.level, e.message])).toEqual([
      ['error', "load balancer 'recording' threw in done(); ignored"],
    ]);
  });
});

describe('lifecycle', () => {
  it('close() refuses new calls at once, waits for calls in flight, then closes the transport', async () => {
    const { engine, transport } = setup();
    const call = engine.request('GET', 'echo', '/gate');
    await waitFor(() => server.gated === 1, { message: 'the call reaching the server' });
    expect(engine.inFlight).toBe(1);
    let closed = false;
    const closing = engine.close().then(() => {
      closed = true;
    });
    await expect(engine.request('GET', 'echo', '/json')).rejects.toBeInstanceOf(ClosedError);
    await expect(engine.rawRequest('GET', 'echo', '/json')).rejects.toThrow('call engine is closed');
    expect(closed).toBe(false);
    expect(transport.closed).toBe(false);
    server.release();
    const result = await call.then((value) => ({ value, closedBefore: closed }));
    expect(result).toEqual({ value: { gate: 'open' }, closedBefore: false });
    await closing;
    expect(transport.closed).toBe(true);
    expect(engine.inFlight).toBe(0);
    await expect(engine.close()).resolves.toBeUndefined();
  });

  it('close() aborts the calls still in flight after closeTimeout with ClosedError, then closes the transport', async () => {
    const { engine, transport } = setup({ closeTimeout: 50, timeout: 60_000 });
    const calls = Array.from({ length: 20 }, (_, i) =>
      (i % 2 === 0
        ? engine.request('GET', 'echo', '/gate')
        : engine.rawRequest('GET', 'echo', '/gate')
      ).catch((e: unknown) => e),
    );
    await waitFor(() => server.gated === 20, { message: 'every call reaching the server' });
    await engine.close();
    expect(transport.closed).toBe(true);
    const outcomes = await Promise.all(calls);
    expect(outcomes.filter((e) => e instanceof ClosedError)).toHaveLength(20);
    expect((outcomes[0] as Error).message).toContain('close() aborted the call after waiting 50 ms');
    expect(engine.inFlight).toBe(0);
  });

  it('close() gives up on a call that waits in beforeRequest: it sends nothing and fails with ClosedError', async () => {
    let release: (() => void) | undefined;
    const { engine, transport } = setup({
      closeTimeout: 20,
      interceptors: [
        {
          name: 'slow',
          beforeRequest: () =>
            new Promise<void>((resolve) => {
              release = resolve;
            }),
        },
      ],
    });
    const call = engine.request('GET', 'echo', '/json').catch((e: unknown) => e);
    await waitFor(() => release !== undefined, { message: 'beforeRequest to start' });
    const closing = engine.close();
    await waitFor(() => transport.closed, { message: 'the transport to be closed after the bound' });
    release!();
    expect(await call).toBeInstanceOf(ClosedError);
    await closing;
    expect(transport.sent).toHaveLength(0);
  });

  it('checks closeTimeout', () => {
    expect(() => setup({ closeTimeout: -1 })).toThrow(
      'closeTimeout: expected a positive number of milliseconds up to 2147483647',
    );
  });

  it('close() with nothing in flight closes the transport and returns the same promise when repeated', async () => {
    const { engine, transport } = setup();
    const first = engine.close();
    expect(engine.close()).toBe(first);
    await first;
    expect(transport.closed).toBe(true);
  });

  it('counts calls in flight', async () => {
    const { engine } = setup();
    expect(engine.inFlight).toBe(0);
    const calls = [engine.request('GET', 'echo', '/gate'), engine.request('GET', 'echo', '/gate')];
    expect(engine.inFlight).toBe(2);
    await waitFor(() => server.gated === 2, { message: 'both calls reaching the server' });
    server.release();
    server.release();
    await Promise.all(calls);
    expect(engine.inFlight).toBe(0);
  });
});

describe('createCallEngine options', () => {
  const transport = nodeHttpTransport();
  const discovery = staticRegistry({ logger: silentLogger });
  const base = { discovery, transport, loadBalancer: roundRobin() };

  it.each([
    [{ ...base, discovery: {} }, /discovery: expected a ServiceDiscovery/],
    [{ ...base, transport: { send() {} } }, /transport: expected a Transport/],
    [
      { ...base, loadBalancer: undefined },
      /loadBalancer: expected a LoadBalancer \(an object with pick\), found undefined/,
    ],
    [
      { ...base, timeout: 0 },
      /timeout: expected a positive number of milliseconds up to 2147483647, found 0/,
    ],
    [{ ...base, timeout: 3_000_000_000 }, /timeout: expected a positive number/],
    [{ ...base, logger: { debug() {}, info() {}, warn() {} } }, /logger\.error: expected a function/],
    [{ ...base, interceptors: [{ name: '' }] }, /interceptor\.name: expected a non-empty string/],
    [null, /<createCallEngine>: options: expected an object, found null/],
  ])('refuses bad options with a ConfigError (%#)', (options, message) => {
    expect(() => createCallEngine(options as CallEngineOptions)).toThrow(ConfigError);
    expect(() => createCallEngine(options as CallEngineOptions)).toThrow(message);
  });

  it('takes initial interceptors sorted, duplicates ignored', () => {
    const engine = createCallEngine({
      ...base,
      interceptors: [
        { name: 'b', order: 2 },
        { name: 'a', order: 1 },
        { name: 'b', order: -1 },
      ],
    });
    expect(engine.interceptors.map((i) => [i.name, i.order])).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
  });

  it('refuses a call with an invalid request before any I/O', async () => {
    const { engine, transport } = setup();
    await expect(engine.request('GET', 'echo', 'http://evil.example/x')).rejects.toBeInstanceOf(
      InvalidRequestError,
    );
    expect(transport.sent).toHaveLength(0);
  });
});
