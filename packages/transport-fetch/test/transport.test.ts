import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { Transport, TransportRequest } from '@service-caller/core';
import {
  createCallEngine,
  isConfigError,
  isConnectionError,
  isInvalidRequestError,
  isResponseTooLargeError,
  isTimeoutError,
  roundRobin,
  silentLogger,
  staticRegistry,
  TimeoutError,
} from '@service-caller/core';
import { testTransport } from '@service-caller/testkit';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FetchTransportOptions, fetchTransport } from '../src/index.js';

/**
 * WHATWG fetch has no TLS options; on Node a `dispatcher` in the init carries them. The suite's
 * `tls.ca` goes through the transport's `init` that way (the agents are closed after the suite).
 */
const agents: Agent[] = [];

function startServer() {
  const state = { requests: 0, origin: '', lastHeaders: {} as http.IncomingHttpHeaders };
  const server = http.createServer((req, res) => {
    state.requests++;
    state.lastHeaders = req.headers;
    if (req.url?.startsWith('/stall')) return;
    if (req.url === '/to-hello') {
      res.writeHead(302, { location: '/hello' });
      res.end();
      return;
    }
    if (req.url === '/reset') {
      req.socket.destroy();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`hello ${req.method} ${req.url}`);
  });
  return {
    state,
    async listen() {
      server.listen({ port: 0, host: '127.0.0.1' });
      await once(server, 'listening');
      state.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

const get = (origin: string, path: string, extra: Partial<TransportRequest> = {}): TransportRequest => ({
  method: 'GET',
  origin,
  path,
  headers: {},
  ...extra,
});

testTransport({
  name: 'fetch',
  create: (options) => {
    const { tls, ...timeouts } = options ?? {};
    if (!tls) return fetchTransport(timeouts);
    const agent = new Agent({ connect: { ca: tls.ca } });
    agents.push(agent);
    return fetchTransport({ ...timeouts, init: { dispatcher: agent } });
  },
  additionalTests() {
    afterAll(async () => {
      await Promise.all(agents.map((agent) => agent.close()));
    });

    describe('reading a body whole', () => {
      /** 2 MiB of zeros, gzipped to about 2 KiB: a length that says nothing of the inflated size. */
      const inflated = Buffer.alloc(2 * 1024 * 1024);
      const gzipped = gzipSync(inflated);
      const state = { origin: '' };
      const server = http.createServer((req, res) => {
        if (req.url === '/gzip') {
          res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': gzipped.length });
          res.end(gzipped);
        } else if (req.url === '/short-stall') {
          // Announces 100 bytes, sends 10, then nothing.
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': 100 });
          res.write('{"a":12345');
        } else if (req.url?.startsWith('/hang')) {
          // Never answers.
        } else {
          const body = JSON.stringify({ ok: true, url: req.url });
          res.writeHead(200, {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          });
          res.end(body);
        }
      });
      const transports: Transport[] = [];
      const make = (options?: FetchTransportOptions) => {
        const transport = fetchTransport(options);
        transports.push(transport);
        return transport;
      };
      beforeAll(async () => {
        server.listen({ port: 0, host: '127.0.0.1' });
        await once(server, 'listening');
        state.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      });
      afterAll(async () => {
        await Promise.all(transports.map((t) => t.close()));
        server.closeAllConnections();
        server.close();
        await once(server, 'close');
      });

      it('keeps the size cap for a short compressed body that inflates past it', async () => {
        const transport = make({ maxResponseSize: 256 * 1024 });
        const buffered = await transport.sendBuffered!(get(state.origin, '/gzip')).catch((e: unknown) => e);
        expect(isResponseTooLargeError(buffered), String(buffered)).toBe(true);
        const raw = await transport.send(get(state.origin, '/gzip'));
        const read = await raw.bytes().catch((e: unknown) => e);
        expect(isResponseTooLargeError(read), String(read)).toBe(true);
        // Under a cap it fits, the whole inflated body arrives.
        const roomy = make({ maxResponseSize: 4 * 1024 * 1024 });
        const whole = await roomy.sendBuffered!(get(state.origin, '/gzip'));
        expect(whole.bodyBytes.byteLength).toBe(inflated.length);
      });

      it('bounds a short body of known length that stops arriving by the read timeout', async () => {
        const transport = make({ readTimeout: 150 });
        const error = await transport.sendBuffered!(get(state.origin, '/short-stall')).catch(
          (e: unknown) => e,
        );
        expect(isTimeoutError(error), String(error)).toBe(true);
        expect(error).toMatchObject({ phase: 'read', timeoutMs: 150 });
        const raw = await transport.send(get(state.origin, '/short-stall'));
        const text = await raw.text().catch((e: unknown) => e);
        expect(isTimeoutError(text), String(text)).toBe(true);
      });

      it("ends a call on the engine's total timeout and on the caller's signal through the abort hook", async () => {
        const transport = make();
        expect(transport.usesAbortHook).toBe(true);
        const port = Number(new URL(state.origin).port);
        const engine = createCallEngine({
          discovery: staticRegistry({
            services: { svc: [{ host: '127.0.0.1', port }] },
            logger: silentLogger,
          }),
          transport,
          loadBalancer: roundRobin(),
          logger: silentLogger,
          timeout: 5_000,
        });
        try {
          await expect(engine.request('GET', 'svc', '/json')).resolves.toEqual({ ok: true, url: '/json' });
          const timedOut = await engine
            .request('GET', 'svc', '/hang', { timeout: 100 })
            .catch((e: unknown) => e);
          expect(timedOut).toBeInstanceOf(TimeoutError);
          expect((timedOut as TimeoutError).message).toBe(
            `total timeout of 100 ms elapsed for GET ${state.origin}/hang`,
          );
          const controller = new AbortController();
          const reason = new Error('caller gave up');
          const call = engine.request('GET', 'svc', '/hang2', { signal: controller.signal });
          setImmediate(() => controller.abort(reason));
          expect(await call.catch((e: unknown) => e)).toBe(reason);
        } finally {
          await engine.close();
        }
      });
    });

    describe('fetch options', () => {
      const server = startServer();
      const transports: Transport[] = [];
      const make = (options?: FetchTransportOptions) => {
        const transport = fetchTransport(options);
        transports.push(transport);
        return transport;
      };
      beforeAll(() => server.listen());
      afterAll(async () => {
        await Promise.all(transports.map((t) => t.close()));
        await server.close();
      });

      it.each([
        ['connectTimeout', 0],
        ['connectTimeout', Number.POSITIVE_INFINITY],
        ['readTimeout', -1],
        ['readTimeout', '6000'],
        ['fetch', 'not a function'],
        ['init', 'redirect'],
      ])('refuses %s = %s with a ConfigError naming the option', (key, value) => {
        let error: unknown;
        try {
          fetchTransport({ [key]: value } as FetchTransportOptions);
        } catch (caught) {
          error = caught;
        }
        expect(isConfigError(error), String(error)).toBe(true);
        expect(error).toMatchObject({ keyPath: key });
      });

      it('refuses init fields the transport sets itself', () => {
        expect(() => fetchTransport({ init: { method: 'POST' } as never })).toThrow(/init\.method/);
        expect(() => fetchTransport({ init: { signal: AbortSignal.abort() } as never })).toThrow(
          /init\.signal/,
        );
      });

      it('calls an injected fetch with the URL, method, headers, body and init extras', async () => {
        const calls: Array<{ url: string; init: RequestInit & Record<string, unknown> }> = [];
        const transport = make({
          fetch: (input, init) => {
            calls.push({ url: String(input), init: init as RequestInit & Record<string, unknown> });
            return fetch(input, init);
          },
          init: { cache: 'no-store', custom: 'kept' },
        });
        const res = await transport.send(
          get(server.state.origin, '/injected?q=1', {
            method: 'POST',
            headers: { 'x-a': 'b' },
            body: 'payload',
          }),
        );
        expect(await res.text()).toBe('hello POST /injected?q=1');
        expect(calls).toHaveLength(1);
        expect(calls[0]!.url).toBe(`${server.state.origin}/injected?q=1`);
        expect(calls[0]!.init).toMatchObject({
          method: 'POST',
          headers: { 'x-a': 'b' },
          body: 'payload',
          cache: 'no-store',
          custom: 'kept',
          redirect: 'manual',
        });
        expect(calls[0]!.init.signal).toBeInstanceOf(AbortSignal);
      });

      it('calls fetch as a plain function, with no `this` (workerd throws "Illegal invocation" otherwise)', async () => {
        // workerd's own fetch checks its receiver: called as a method of any other object it
        // throws. This one does the same, so the test fails wherever workerd's call would.
        const receivers: unknown[] = [];
        const transport = make({
          fetch: function (this: unknown, input, init) {
            receivers.push(this);
            if (this !== undefined && this !== globalThis) {
              throw new TypeError('Illegal invocation: function called with incorrect `this` reference.');
            }
            return fetch(input, init);
          },
        });
        const res = await transport.send(get(server.state.origin, '/plain'));
        expect(await res.text()).toBe('hello GET /plain');
        expect(receivers).toEqual([undefined]);
      });

      it("leaves the query out of a runtime's own error message that quotes the URL (Deno's does)", async () => {
        // Deno's fetch rejects a refused connect with the whole URL, query included, in its
        // cause: "error sending request for url (http://...?token=...): ...". Seen on Deno by the
        // runtime matrix; here the same rejection comes from an injected fetch.
        const transport = make({
          fetch: async (input) => {
            throw new TypeError('fetch failed', {
              cause: new Error(
                `error sending request for url (${String(input)}): client error (Connect): tcp connect error: Connection refused (os error 111)`,
              ),
            });
          },
        });
        const error = await transport
          .send(get(server.state.origin, '/refused?token=secret&x=1'))
          .catch((e: unknown) => e);
        expect(isConnectionError(error), String(error)).toBe(true);
        const message = (error as Error).message;
        expect(message).toContain(`error sending request for url (${server.state.origin}/refused)`);
        expect(message).toContain('Connection refused');
        expect(message).not.toContain('secret');
      });

      it('lets init choose to follow redirects', async () => {
        const transport = make({ init: { redirect: 'follow' } });
        const res = await transport.send(get(server.state.origin, '/to-hello'));
        expect(res.status).toBe(200);
        expect(await res.text()).toBe('hello GET /hello');
      });

      it('passes a synchronous throw of the injected fetch through the error mapping', async () => {
        const transport = make({
          fetch: () => {
            throw new TypeError('Invalid URL for this test');
          },
        });
        const error = await transport.send(get(server.state.origin, '/x')).catch((e: unknown) => e);
        expect(isInvalidRequestError(error), String(error)).toBe(true);
        expect((error as Error).message).toContain(`GET ${server.state.origin}/x`);
      });

      it('maps a reset connection to ConnectionError', async () => {
        const error = await make()
          .send(get(server.state.origin, '/reset'))
          .catch((e: unknown) => e);
        expect(isConnectionError(error), String(error)).toBe(true);
      });

      it("reports a connectTimeout shorter than readTimeout as 'connect' (fetch cannot see the connection)", async () => {
        const transport = make({ connectTimeout: 200, readTimeout: 5000 });
        const error = await transport.send(get(server.state.origin, '/stall')).catch((e: unknown) => e);
        expect(isTimeoutError(error), String(error)).toBe(true);
        expect(error).toMatchObject({ phase: 'connect', timeoutMs: 200 });
      });

      it("reports 'read' when readTimeout is the shorter one", async () => {
        const transport = make({ connectTimeout: 5000, readTimeout: 200 });
        const error = await transport.send(get(server.state.origin, '/stall')).catch((e: unknown) => e);
        expect(error).toMatchObject({ phase: 'read', timeoutMs: 200 });
      });

      it('lets a request override both timeouts', async () => {
        const transport = make({ connectTimeout: 100, readTimeout: 100 });
        const error = await transport
          .send(get(server.state.origin, '/stall', { connectTimeout: 5000, readTimeout: 250 }))
          .catch((e: unknown) => e);
        expect(error).toMatchObject({ phase: 'read', timeoutMs: 250 });
      });

      it.each([
        ['readTimeout', 0],
        ['connectTimeout', Number.NaN],
      ])('refuses a request with %s = %s as InvalidRequestError', async (key, value) => {
        const before = server.state.requests;
        const error = await make()
          .send(get(server.state.origin, '/hello', { [key]: value }))
          .catch((e: unknown) => e);
        expect(isInvalidRequestError(error), String(error)).toBe(true);
        expect((error as Error).message).toContain(key);
        expect(server.state.requests).toBe(before);
      });

      it('refuses an invalid header name as InvalidRequestError', async () => {
        const error = await make()
          .send(get(server.state.origin, '/hello', { headers: { 'bad header': 'x' } }))
          .catch((e: unknown) => e);
        expect(isInvalidRequestError(error), String(error)).toBe(true);
      });
    });
  },
});
