import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Transport, TransportRequest } from '@service-caller/core';
import {
  isConfigError,
  isInvalidRequestError,
  isResponseTooLargeError,
  isTimeoutError,
} from '@service-caller/core';
import { testTransport } from '@service-caller/testkit';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type UndiciTransportOptions, undiciTransport } from '../src/index.js';

/** A server for the transport-specific tests: counts requests and connections, answers `/hello`. */
function startServer() {
  const state = { requests: 0, connections: 0, origin: '' };
  const server = http.createServer((req, res) => {
    state.requests++;
    if (req.url?.startsWith('/stall')) return;
    if (req.url?.startsWith('/partial')) {
      // Headers and a first chunk, then nothing: the body never ends.
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial');
      return;
    }
    if (req.url?.startsWith('/shouting')) {
      // Header names in other cases than undici's known spellings: the scan must still find them.
      const body = req.url.includes('long') ? 'x'.repeat(300) : '{"loud":true}';
      res.writeHead(200, [
        ['CONTENT-TYPE', 'application/json'],
        ['X-Other', 'y'],
        ['Content-LENGTH', String(Buffer.byteLength(body))],
      ]);
      res.end(body);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`hello ${req.method} ${req.url}`);
  });
  server.on('connection', () => {
    state.connections++;
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
  name: 'undici',
  create: (options) => undiciTransport(options),
  additionalTests() {
    describe('undici options', () => {
      const server = startServer();
      const transports: Transport[] = [];
      const make = (options?: UndiciTransportOptions) => {
        const transport = undiciTransport(options);
        transports.push(transport);
        return transport;
      };
      beforeAll(() => server.listen());
      afterAll(async () => {
        await Promise.all(transports.map((t) => t.close()));
        await server.close();
      });

      it.each([
        ['connections', 0],
        ['connections', 1.5],
        ['connections', -1],
        ['connections', '10'],
        ['pipelining', 0],
        ['connectTimeout', 0],
        ['connectTimeout', -5],
        ['connectTimeout', Number.POSITIVE_INFINITY],
        ['readTimeout', Number.NaN],
        ['readTimeout', '6000'],
        ['keepAliveTimeout', 0],
      ])('refuses %s = %s with a ConfigError naming the option', (key, value) => {
        let error: unknown;
        try {
          undiciTransport({ [key]: value } as UndiciTransportOptions);
        } catch (caught) {
          error = caught;
        }
        expect(isConfigError(error), String(error)).toBe(true);
        expect(error).toMatchObject({ keyPath: key });
        expect((error as Error).message).toContain(key);
      });

      it('refuses a malformed tls option without echoing the key material', () => {
        const secret = { toString: () => 'PRIVATE-KEY-MATERIAL' };
        let error: unknown;
        try {
          undiciTransport({ tls: { key: secret as unknown as string } });
        } catch (caught) {
          error = caught;
        }
        expect(isConfigError(error)).toBe(true);
        expect(error).toMatchObject({ keyPath: 'tls.key' });
        expect((error as Error).message).not.toContain('PRIVATE-KEY-MATERIAL');
        expect(() => undiciTransport({ tls: { rejectUnauthorized: 'no' as unknown as boolean } })).toThrow(
          /tls\.rejectUnauthorized/,
        );
      });

      it('refuses agent options next to an injected dispatcher', () => {
        const dispatcher = new Agent();
        try {
          expect(() => undiciTransport({ dispatcher, connections: 5 })).toThrow(/connections.*dispatcher/);
          expect(() => undiciTransport({ dispatcher: {} as Agent })).toThrow(/dispatcher/);
        } finally {
          void dispatcher.close();
        }
      });

      it('accepts the defaults and reports its name', () => {
        expect(make().name).toBe('undici');
        expect(make({}).name).toBe('undici');
      });

      it('bounds connections per origin by `connections`', async () => {
        const transport = make({ connections: 2 });
        const before = server.state.connections;
        const responses = await Promise.all(
          Array.from({ length: 20 }, (_, i) => transport.send(get(server.state.origin, `/hello?n=${i}`))),
        );
        const texts = await Promise.all(responses.map((res) => res.text()));
        expect(texts).toEqual(Array.from({ length: 20 }, (_, i) => `hello GET /hello?n=${i}`));
        expect(server.state.connections - before).toBeLessThanOrEqual(2);
      });

      it('destroys connections an unread response holds once closeTimeout runs out', async () => {
        const transport = undiciTransport({ closeTimeout: 100 });
        const response = await transport.send(get(server.state.origin, '/partial'));
        // Neither read nor disposed: without the bound, close() would wait for this body for ever.
        await transport.close();
        await expect(response.text()).rejects.toThrow();
      });

      it('refuses a closeTimeout that is not a positive number of milliseconds', () => {
        let failure: unknown;
        try {
          undiciTransport({ closeTimeout: -1 });
        } catch (error) {
          failure = error;
        }
        expect(isConfigError(failure)).toBe(true);
        expect((failure as Error).message).toContain('closeTimeout');
      });

      it('reuses connections between requests', async () => {
        const transport = make();
        const before = server.state.connections;
        for (let i = 0; i < 10; i++) {
          const res = await transport.send(get(server.state.origin, `/hello?seq=${i}`));
          expect(await res.text()).toBe(`hello GET /hello?seq=${i}`);
        }
        // A connection can still look busy to the pool for a moment after its body ended, so
        // a second one may open; without keep-alive there would be ten.
        expect(server.state.connections - before).toBeLessThanOrEqual(2);
      });

      it('sends through an injected dispatcher and leaves closing it to its owner', async () => {
        let dispatched = 0;
        const agent = new Agent();
        const counting = agent.compose((dispatch) => (options, handler) => {
          dispatched++;
          return dispatch(options, handler);
        });
        const transport = undiciTransport({ dispatcher: counting });
        try {
          const res = await transport.send(get(server.state.origin, '/injected'));
          expect(await res.text()).toBe('hello GET /injected');
          expect(dispatched).toBe(1);
          await transport.close();
          expect(agent.closed).toBe(false);
          const after = await agent.request({
            origin: server.state.origin,
            path: '/still-open',
            method: 'GET',
          });
          expect(await after.body.text()).toBe('hello GET /still-open');
        } finally {
          await agent.close();
        }
      });

      it('keeps an injected dispatcher to maxResponseSize, for send and sendBuffered alike', async () => {
        let dispatched = 0;
        const agent = new Agent();
        const counting = agent.compose((dispatch) => (options, handler) => {
          dispatched++;
          return dispatch(options, handler);
        });
        const transport = undiciTransport({ dispatcher: counting, maxResponseSize: 1024 });
        const long = `/${'x'.repeat(1100)}`;
        try {
          const streamed = await transport
            .send(get(server.state.origin, long))
            .then((res) => res.text())
            .catch((e: unknown) => e);
          expect(isResponseTooLargeError(streamed), String(streamed)).toBe(true);
          const whole = await transport.sendBuffered!(get(server.state.origin, long)).catch(
            (e: unknown) => e,
          );
          expect(isResponseTooLargeError(whole), String(whole)).toBe(true);
          expect((await transport.sendBuffered!(get(server.state.origin, '/short'))).bodyText()).toBe(
            'hello GET /short',
          );
          expect(dispatched).toBe(3);
        } finally {
          await agent.close();
        }
      });

      it.each([0, -1, 1.5, '64'])('refuses maxResponseSize %j with a ConfigError', (value) => {
        expect(() => undiciTransport({ maxResponseSize: value as number })).toThrow(/maxResponseSize/);
      });

      it('applies readTimeout to an injected dispatcher per request', async () => {
        const agent = new Agent();
        const transport = undiciTransport({ dispatcher: agent, readTimeout: 200 });
        try {
          const error = await transport.send(get(server.state.origin, '/stall')).catch((e: unknown) => e);
          expect(isTimeoutError(error), String(error)).toBe(true);
          expect(error).toMatchObject({ phase: 'read', timeoutMs: 200 });
        } finally {
          await agent.close();
        }
      });

      it('lets a request override the read timeout of the transport', async () => {
        const transport = make({ readTimeout: 200 });
        const error = await transport
          .send(get(server.state.origin, '/stall', { readTimeout: 250 }))
          .catch((e: unknown) => e);
        expect(error).toMatchObject({ phase: 'read', timeoutMs: 250 });
      });

      it.each([
        ['readTimeout', 0],
        ['readTimeout', -1],
        ['connectTimeout', Number.NaN],
      ])('refuses a request with %s = %s as InvalidRequestError', async (key, value) => {
        const transport = make();
        const before = server.state.requests;
        const error = await transport
          .send(get(server.state.origin, '/hello', { [key]: value }))
          .catch((e: unknown) => e);
        expect(isInvalidRequestError(error), String(error)).toBe(true);
        expect((error as Error).message).toContain(key);
        expect(server.state.requests).toBe(before);
      });

      it('refuses an invalid header as InvalidRequestError naming the request', async () => {
        const transport = make();
        const error = await transport
          .send(get(server.state.origin, '/hello', { headers: { 'bad header': 'x' } }))
          .catch((e: unknown) => e);
        expect(isInvalidRequestError(error), String(error)).toBe(true);
        expect((error as Error).message).toContain(`GET ${server.state.origin}/hello`);
      });

      it('reads content-type and content-length in any case of their names', async () => {
        const transport = make({ maxResponseSize: 100 });
        const res = await transport.sendBuffered!(get(server.state.origin, '/shouting'));
        expect(res.header('content-type')).toBe('application/json');
        expect(res.header('x-other')).toBe('y');
        expect(res.bodyText()).toBe('{"loud":true}');
        // A content-length over the cap is refused when the headers arrive, naming the length.
        const error = await transport.sendBuffered!(get(server.state.origin, '/shouting-long')).catch(
          (e: unknown) => e,
        );
        expect(isResponseTooLargeError(error), String(error)).toBe(true);
        expect(error).toMatchObject({ limit: 100, contentLength: 300 });
      });

      it('fails a sendBuffered whose dispatcher throws, and still closes without waiting', async () => {
        const agent = new Agent();
        const throwing = agent.compose(() => () => {
          throw new Error('dispatcher broke');
        });
        const transport = undiciTransport({ dispatcher: throwing, closeTimeout: 60_000 });
        try {
          await expect(transport.sendBuffered!(get(server.state.origin, '/hello'))).rejects.toThrow(
            'dispatcher broke',
          );
          // The failed request is no longer in flight: close() does not wait for it (nor for closeTimeout).
          const closing = transport.close().then(() => 'closed');
          const bound = new Promise((resolve) => setTimeout(resolve, 5000, 'still waiting').unref());
          await expect(Promise.race([closing, bound])).resolves.toBe('closed');
        } finally {
          await agent.close();
        }
      });

      it('keeps a small cache of agents for per-request connect timeouts', async () => {
        const transport = make();
        // More distinct connect timeouts than the cache holds: the oldest agents are retired, requests still work.
        for (let i = 0; i < 12; i++) {
          const res = await transport.send(
            get(server.state.origin, `/hello?i=${i}`, { connectTimeout: 1000 + i }),
          );
          expect(await res.text()).toBe(`hello GET /hello?i=${i}`);
        }
        await transport.close();
      });
    });
  },
});
