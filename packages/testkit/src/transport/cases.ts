import type { BufferedResponse, RawResponse, Transport, TransportRequest } from '@service-caller/core';
import {
  isConnectionError,
  isInvalidRequestError,
  isResponseTooLargeError,
  isTimeoutError,
} from '@service-caller/core';
import type { AddressFixture, ServerFixture, TransportFixtures } from '../portable/fixtures.js';
import type { SuiteApi } from '../portable/suite-api.js';
import { waitFor } from '../wait.js';
import { rejectionOf, within } from './bounded.js';
import { type Echo, LARGE_BODY, patternBytes, sha256 } from './bytes.js';
import { nextId, readStream, requestTo, streamOf } from './requests.js';

/*
 * The transport suite's cases, written against a small test API (SuiteApi) and fixtures with
 * async members only, so that the same cases run under vitest on Node (testTransport) and on
 * runtimes without Node's modules, with the servers in a Node process beside them.
 */

/** What the suite asks of `create`: a transport with these settings, the rest at their defaults. */
export interface TransportTestOptions {
  /** Connect timeout in milliseconds. */
  connectTimeout?: number;
  /** Read timeout (time to headers, idle time between body chunks) in milliseconds. */
  readTimeout?: number;
  /** Trust this CA (PEM) for `https` origins, in place of or in addition to the platform's. */
  tls?: { ca: string };
  /** The largest response body in bytes (`maxResponseSize`); bigger ones fail with `ResponseTooLargeError`. */
  maxResponseSize?: number;
}

/** Options of {@link testTransport}. */
export interface TestTransportOptions {
  /** The transport's `name`; the suite checks that the transport reports it. */
  name: string;
  /**
   * Makes a new transport. The suite calls it several times and closes every transport it made.
   * It must honour `connectTimeout`, `readTimeout`, `tls.ca` and `maxResponseSize`.
   */
  create: (options?: TransportTestOptions) => Transport;
  /** Registers the transport's own tests (`it(...)`), run inside the suite's `describe`. */
  additionalTests?: () => void;
}

/** The short timeout the timeout tests use; long enough for loopback, short enough to keep the suite fast. */
const SHORT_TIMEOUT = 300;
/** `dispose` test: responses disposed unread, how many at once, and the bound on the whole loop. */
const DISPOSE_COUNT = 10_000;
const DISPOSE_CONCURRENCY = 64;
const DISPOSE_BOUND = 90_000;

const encoder = new TextEncoder();

function codeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}

/**
 * Registers the transport conformance suite through `api`, with servers from `fixtures`. What
 * it checks: see {@link testTransport}, its vitest binding.
 */
export function transportSuite(
  api: SuiteApi,
  options: TestTransportOptions,
  fixtures: TransportFixtures,
): void {
  const { describe, it, expect, beforeAll, afterAll } = api;
  const { name, create, additionalTests } = options;

  describe(`transport conformance: ${name}`, () => {
    let server: ServerFixture;
    const made: Transport[] = [];
    let transport: Transport;

    /** A transport the suite closes at the end, whatever a test did with it. */
    const make = (settings?: TransportTestOptions): Transport => {
      const created = create(settings);
      made.push(created);
      return created;
    };
    const req = (path: string, extra?: Partial<TransportRequest>) => requestTo(server.origin, path, extra);
    const send = (path: string, extra?: Partial<TransportRequest>) =>
      within(transport.send(req(path, extra)), `${extra?.method ?? 'GET'} ${path}`);
    const echo = async (path: string, extra?: Partial<TransportRequest>): Promise<Echo> => {
      const res = await send(path, extra);
      expect(res.status).toBe(200);
      return (await res.json()) as Echo;
    };

    beforeAll(async () => {
      server = await fixtures.startServer();
      transport = make();
    });

    afterAll(async () => {
      try {
        await Promise.all(made.map((t) => within(t.close(), `closing a ${name} transport`)));
      } finally {
        await server?.close();
      }
    });

    it('reports its name', () => {
      expect(transport.name).toBe(name);
    });

    describe('requests', () => {
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
        it(`sends ${method}`, async () => {
          const seen = await echo('/echo', { method });
          expect(seen.method).toBe(method);
        });
      }

      it('sends HEAD and gets headers without a body', async () => {
        const res = await send('/echo', { method: 'HEAD' });
        expect(res.status).toBe(200);
        expect(res.headers['x-echo-method']).toBe('HEAD');
        expect(res.body).toBeNull();
        expect(await res.text()).toBe('');
      });

      it('sends the path and query string unchanged', async () => {
        const path = '/echo?name=J%C3%BCrgen&list=a&list=b&empty=&plus=a%2Bb';
        const seen = await echo(path);
        expect(seen.url).toBe(path);
      });

      it('sends the request headers, whatever the case of their names', async () => {
        const seen = await echo('/echo', {
          headers: { 'x-custom': 'one', 'X-Mixed-Case': 'Two', accept: 'text/plain' },
        });
        expect(seen.headers['x-custom']).toBe('one');
        expect(seen.headers['x-mixed-case']).toBe('Two');
        expect(seen.headers.accept).toBe('text/plain');
      });

      it('sends a string body', async () => {
        const seen = await echo('/echo', {
          method: 'POST',
          headers: { 'content-type': 'text/plain; charset=utf-8' },
          body: 'héllo ✓',
        });
        expect(seen.text).toBe('héllo ✓');
        expect(seen.length).toBe(encoder.encode('héllo ✓').byteLength);
        expect(seen.headers['content-type']).toBe('text/plain; charset=utf-8');
      });

      it('sends a Uint8Array body, every byte value intact', async () => {
        const bytes = new Uint8Array(256).map((_, i) => i);
        const seen = await echo('/echo', { method: 'PUT', body: bytes });
        expect(seen.length).toBe(256);
        expect(seen.sha256).toBe(await sha256(bytes));
      });

      it('sends only the viewed part of a Uint8Array that is a view into a larger buffer', async () => {
        const whole = new Uint8Array(64).map((_, i) => i);
        const view = whole.subarray(16, 48);
        const seen = await echo('/echo', { method: 'POST', body: view });
        expect(seen.length).toBe(32);
        expect(seen.sha256).toBe(await sha256(view));
      });

      it('sends an ArrayBuffer body', async () => {
        const bytes = new Uint8Array(100).map((_, i) => 255 - i);
        const seen = await echo('/echo', { method: 'POST', body: bytes.buffer });
        expect(seen.sha256).toBe(await sha256(bytes));
      });

      it('sends a URLSearchParams body form-encoded, with its content type', async () => {
        const seen = await echo('/echo', {
          method: 'POST',
          body: new URLSearchParams({ a: '1', b: 'two words', c: 'x&y=z' }),
        });
        expect(seen.text).toBe('a=1&b=two+words&c=x%26y%3Dz');
        expect(seen.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
      });

      it('keeps a content type the caller set for a URLSearchParams body', async () => {
        const seen = await echo('/echo', {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ a: '1' }),
        });
        expect(seen.headers['content-type']).toBe('application/x-www-form-urlencoded');
      });

      it('sends a ReadableStream body', async () => {
        const seen = await echo('/echo', { method: 'POST', body: streamOf(['one,', 'two,', 'three']) });
        expect(seen.text).toBe('one,two,three');
      });

      it('sends a large body (1 MiB)', async () => {
        const bytes = patternBytes(1024 * 1024, 7);
        const seen = await echo('/echo', { method: 'POST', body: bytes });
        expect(seen.length).toBe(bytes.byteLength);
        expect(seen.sha256).toBe(await sha256(bytes));
      });

      it('runs many requests at once, each answered on its own', async () => {
        const paths = Array.from({ length: 32 }, (_, i) => `/echo?n=${i}`);
        const seen = await Promise.all(paths.map((path) => echo(path)));
        expect(seen.map((s) => s.url)).toEqual(paths);
      });
    });

    describe('responses', () => {
      it('exposes status and status text', async () => {
        const res = await send(`/status?code=418&text=${encodeURIComponent("I'm a teapot")}`);
        expect(res.status).toBe(418);
        expect(res.statusText).toBe("I'm a teapot");
        expect(await res.text()).toBe('status 418');
      });

      it('exposes headers with lower-case names and a repeated set-cookie as an array', async () => {
        const res = await send('/headers');
        expect(res.headers['x-custom-response']).toBe('yes');
        expect(res.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2']);
        expect(Object.keys(res.headers).filter((key) => key !== key.toLowerCase())).toEqual([]);
        await res.dispose();
      });

      it('exposes the URL it was sent to', async () => {
        const res = await send('/json?x=1');
        expect(res.url).toBe(`${server.origin}/json?x=1`);
        await res.dispose();
      });

      it('does not follow redirects', async () => {
        const res = await send('/redirect');
        expect(res.status).toBe(302);
        expect(res.headers.location).toBe('/json');
        await res.dispose();
      });

      it('reads json()', async () => {
        const res = await send('/json');
        expect(await res.json()).toEqual({ hello: 'world', n: 1, list: [1, 2, 3] });
      });

      it('reads text() as UTF-8', async () => {
        const res = await send('/text');
        expect(await res.text()).toBe('héllo wörld ✓');
      });

      it('reads bytes()', async () => {
        const res = await send('/bytes');
        const bytes = await res.bytes();
        expect(bytes).toBeInstanceOf(Uint8Array);
        expect(Array.from(bytes)).toEqual(Array.from({ length: 256 }, (_, i) => i));
      });

      it('reads arrayBuffer()', async () => {
        const res = await send('/bytes');
        const buffer = await res.arrayBuffer();
        expect(buffer).toBeInstanceOf(ArrayBuffer);
        expect(Array.from(new Uint8Array(buffer))).toEqual(Array.from({ length: 256 }, (_, i) => i));
      });

      it('reads body as a web stream, chunk by chunk', async () => {
        const res = await send('/chunked');
        const stream = res.body;
        expect(stream).toBeInstanceOf(ReadableStream);
        expect(new TextDecoder().decode(await readStream(stream!))).toBe('one,two,three');
      });

      it('streams a large body intact', async () => {
        const size = 1024 * 1024 + 3;
        const res = await send(`/large?size=${size}`);
        const bytes = await readStream(res.body!);
        expect(bytes.byteLength).toBe(size);
        expect(await sha256(bytes)).toBe(await sha256(patternBytes(size)));
      });

      it('reads an empty body as empty', async () => {
        const res = await send('/empty');
        expect(res.status).toBe(200);
        expect(await res.text()).toBe('');
        const again = await send('/empty');
        expect((await again.bytes()).byteLength).toBe(0);
      });

      it('has a null body for a 204', async () => {
        const res = await send('/status?code=204');
        expect(res.status).toBe(204);
        expect(res.body).toBeNull();
        expect(await res.text()).toBe('');
      });
    });

    describe('reading once', () => {
      it('tracks bodyUsed through a read', async () => {
        const res = await send('/json');
        expect(res.bodyUsed).toBe(false);
        await res.json();
        expect(res.bodyUsed).toBe(true);
      });

      it('tracks bodyUsed through dispose()', async () => {
        const res = await send('/json');
        await res.dispose();
        expect(res.bodyUsed).toBe(true);
      });

      it('tracks bodyUsed through the body stream', async () => {
        const res = await send('/chunked');
        await readStream(res.body!);
        expect(res.bodyUsed).toBe(true);
      });

      it('refuses a second read with InvalidRequestError', async () => {
        const res = await send('/text');
        await res.text();
        const error = await rejectionOf(res.text(), 'a second text()');
        expect(isInvalidRequestError(error), String(error)).toBe(true);
        expect(isInvalidRequestError(await rejectionOf(res.json(), 'json() after text()'))).toBe(true);
      });

      it('refuses every reader after another one', async () => {
        const readers = ['json', 'text', 'bytes', 'arrayBuffer'] as const;
        for (const first of readers) {
          for (const second of readers) {
            const res = await send('/json');
            await res[first]();
            const error = await rejectionOf(res[second](), `${second}() after ${first}()`);
            expect(isInvalidRequestError(error), `${second}() after ${first}(): ${String(error)}`).toBe(true);
          }
        }
      });

      it('refuses a read after the body stream was taken', async () => {
        const res = await send('/chunked');
        await readStream(res.body!);
        expect(isInvalidRequestError(await rejectionOf(res.text(), 'text() after body'))).toBe(true);
      });

      it('refuses a read after dispose()', async () => {
        const res = await send('/json');
        await res.dispose();
        expect(
          isInvalidRequestError(await rejectionOf(res.arrayBuffer(), 'arrayBuffer() after dispose()')),
        ).toBe(true);
      });

      it('makes dispose() idempotent, also after a read', async () => {
        const res = await send('/json');
        await res.dispose();
        await res.dispose();
        const read = await send('/json');
        await read.json();
        await read.dispose();
        expect(read.bodyUsed).toBe(true);
      });

      it('disposes at the end of an `await using` scope', async () => {
        let escaped: RawResponse | undefined;
        {
          await using res = await send('/json');
          escaped = res;
          expect(res.status).toBe(200);
        }
        expect(escaped.bodyUsed).toBe(true);
      });
    });

    describe('dispose', () => {
      it(
        `releases the connection: ${DISPOSE_COUNT} responses disposed unread leave the transport usable`,
        async () => {
          // This test is about releasing connections, not timeouts: on a loaded machine one of
          // 10,000 requests may wait longer than a default read timeout for the CPU.
          const patient = make({ readTimeout: DISPOSE_BOUND });
          // Other transports of the suite may hold idle keep-alive connections to the same server.
          const openBefore = await server.openSockets();
          let next = 0;
          let failure: unknown;
          const worker = async () => {
            // Bounded: each worker takes indexes until DISPOSE_COUNT are taken or one failed.
            while (next < DISPOSE_COUNT && failure === undefined) {
              const index = next++;
              // Every 100th body is too large to have arrived whole before dispose().
              const path = index % 100 === 0 ? `/large?size=${LARGE_BODY}` : '/json';
              const res = await patient.send(req(path));
              if (res.status !== 200) throw new Error(`request ${index} answered ${res.status}`);
              if (index % 2 === 0) await res.dispose();
              else await res[Symbol.asyncDispose]();
            }
          };
          const workers = Array.from({ length: DISPOSE_CONCURRENCY }, () =>
            worker().catch((error: unknown) => {
              failure ??= error;
            }),
          );
          await within(Promise.all(workers), `${DISPOSE_COUNT} disposed responses`, DISPOSE_BOUND);
          expect(failure).toBeUndefined();
          expect(next).toBe(DISPOSE_COUNT);
          // Connections were released, not left hanging: the server sees no more open than were ever needed at once.
          await waitFor(async () => (await server.openSockets()) <= openBefore + DISPOSE_CONCURRENCY * 2, {
            message: `at most ${DISPOSE_CONCURRENCY * 2} more connections open on the test server than before`,
          });
          const res = await patient.send(req('/json'));
          expect(await res.json()).toEqual({ hello: 'world', n: 1, list: [1, 2, 3] });
        },
        DISPOSE_BOUND + 30_000,
      );

      it('releases a connection whose body is stalled mid-way', async () => {
        const stalled = make({ readTimeout: SHORT_TIMEOUT });
        const id = nextId();
        const res = await within(stalled.send(req(`/stall-body?id=${id}`)), 'the stalled response');
        await server.seen(id);
        await within(res.dispose(), 'dispose() of a stalled body');
        expect(res.bodyUsed).toBe(true);
        const after = await within(stalled.send(req('/json')), 'a request after the stalled one');
        expect(await after.json()).toEqual({ hello: 'world', n: 1, list: [1, 2, 3] });
      });
      it('rejects a read in progress with ClosedError when the response is disposed', async () => {
        const id = nextId();
        const res = await send(`/stall-body?id=${id}`);
        await server.seen(id);
        const reading = res.text();
        await within(res.dispose(), 'dispose() during a read');
        const error = await rejectionOf(reading, 'a read cut short by dispose()');
        expect(codeOf(error), String(error)).toBe('SC_ERR_CLOSED');
      });
    });

    describe('timeouts', () => {
      it("fails with TimeoutError 'read' when the body stalls after the headers", async () => {
        const slow = make({ readTimeout: SHORT_TIMEOUT });
        const res = await within(slow.send(req(`/stall-body?id=${nextId()}`)), 'the stalled response');
        expect(res.status).toBe(200);
        const error = await rejectionOf(res.text(), 'text() of a stalled body');
        expect(isTimeoutError(error), String(error)).toBe(true);
        expect(error).toMatchObject({ phase: 'read', timeoutMs: SHORT_TIMEOUT });
      });

      it("fails with TimeoutError 'read' when the body stream stalls", async () => {
        const slow = make({ readTimeout: SHORT_TIMEOUT });
        const res = await within(slow.send(req(`/stall-body?id=${nextId()}`)), 'the stalled response');
        const error = await rejectionOf(readStream(res.body!), 'reading a stalled body stream');
        expect(isTimeoutError(error), String(error)).toBe(true);
        expect(error).toMatchObject({ phase: 'read' });
      });

      it("fails with TimeoutError 'read' when the headers never come", async () => {
        const slow = make({ readTimeout: SHORT_TIMEOUT });
        const error = await rejectionOf(
          slow.send(req(`/stall-headers?id=${nextId()}`)),
          'a request never answered',
        );
        expect(isTimeoutError(error), String(error)).toBe(true);
        expect(error).toMatchObject({ phase: 'read', timeoutMs: SHORT_TIMEOUT });
      });

      it('honours a per-request readTimeout', async () => {
        const error = await rejectionOf(
          transport.send(req(`/stall-headers?id=${nextId()}`, { readTimeout: SHORT_TIMEOUT })),
          'a request never answered',
        );
        expect(isTimeoutError(error), String(error)).toBe(true);
        expect(error).toMatchObject({ phase: 'read', timeoutMs: SHORT_TIMEOUT });
      });

      describe('connect', () => {
        let blackhole: AddressFixture;
        beforeAll(async () => {
          blackhole = await fixtures.startBlackhole();
        });
        afterAll(() => blackhole?.close());

        it("fails with TimeoutError 'connect' when the connection is never accepted", async () => {
          const slow = make({ connectTimeout: SHORT_TIMEOUT });
          const error = await rejectionOf(
            slow.send(requestTo(blackhole.origin, '/never')),
            'a connect that is never answered',
          );
          expect(isTimeoutError(error), String(error)).toBe(true);
          expect(error).toMatchObject({ phase: 'connect', timeoutMs: SHORT_TIMEOUT });
        });

        it('honours a per-request connectTimeout', async () => {
          const error = await rejectionOf(
            transport.send(requestTo(blackhole.origin, '/never', { connectTimeout: SHORT_TIMEOUT })),
            'a connect that is never answered',
          );
          expect(isTimeoutError(error), String(error)).toBe(true);
          expect(error).toMatchObject({ phase: 'connect', timeoutMs: SHORT_TIMEOUT });
        });
      });
    });

    describe('connection errors', () => {
      it('fails with ConnectionError naming the request when the connection is refused', async () => {
        const port = await fixtures.closedPort();
        const error = await rejectionOf(
          transport.send(requestTo(`http://127.0.0.1:${port}`, '/refused?token=secret')),
          'a refused connect',
        );
        expect(isConnectionError(error), String(error)).toBe(true);
        const message = (error as Error).message;
        expect(message).toContain(`http://127.0.0.1:${port}/refused`);
        expect(message).toContain('GET');
        expect(message).not.toContain('secret');
      });

      it('keeps working after a connection error', async () => {
        const port = await fixtures.closedPort();
        await rejectionOf(transport.send(requestTo(`http://127.0.0.1:${port}`, '/')), 'a refused connect');
        const res = await send('/json');
        expect(res.status).toBe(200);
        await res.dispose();
      });
    });

    describe('abort', () => {
      it('rejects with the reason of a signal aborted before sending', async () => {
        const reason = new Error('changed my mind');
        const error = await rejectionOf(
          transport.send(req('/json', { signal: AbortSignal.abort(reason) })),
          'an aborted request',
        );
        expect(error).toBe(reason);
      });

      it('rejects with the default AbortError reason unchanged', async () => {
        const controller = new AbortController();
        controller.abort();
        const error = await rejectionOf(
          transport.send(req('/json', { signal: controller.signal })),
          'an aborted request',
        );
        expect(error).toBe(controller.signal.reason);
        expect((error as Error).name).toBe('AbortError');
      });

      it('rejects with the reason when aborted while waiting for headers', async () => {
        const controller = new AbortController();
        const id = nextId();
        const pending = transport.send(req(`/stall-headers?id=${id}`, { signal: controller.signal }));
        await server.seen(id);
        const reason = new Error('took too long for me');
        controller.abort(reason);
        expect(await rejectionOf(pending, 'a request aborted while waiting')).toBe(reason);
      });

      it('rejects the body read with the reason when aborted while reading', async () => {
        const controller = new AbortController();
        const id = nextId();
        const res = await send(`/stall-body?id=${id}`, { signal: controller.signal });
        await server.seen(id);
        const reading = res.text();
        const reason = new Error('enough');
        controller.abort(reason);
        expect(await rejectionOf(reading, 'a body read aborted mid-way')).toBe(reason);
      });

      it('ignores an abort after the body was read', async () => {
        const controller = new AbortController();
        const res = await send('/json', { signal: controller.signal });
        await res.json();
        controller.abort(new Error('too late'));
        const next = await send('/json');
        expect(await next.json()).toEqual({ hello: 'world', n: 1, list: [1, 2, 3] });
      });
    });

    describe('close', () => {
      it('refuses requests after close() with ClosedError and is idempotent', async () => {
        const closing = make();
        const res = await within(closing.send(req('/json')), 'a request before close');
        await res.json();
        await within(closing.close(), 'close()');
        await within(closing.close(), 'a second close()');
        const error = await rejectionOf(closing.send(req('/json')), 'a request after close');
        expect(codeOf(error), String(error)).toBe('SC_ERR_CLOSED');
      });

      it('waits for requests in flight, which complete', async () => {
        const closing = make();
        const id = nextId();
        const pending = closing.send(req(`/hold?id=${id}`));
        await server.seen(id);
        let closed = false;
        const closeDone = closing.close().then(() => {
          closed = true;
        });
        expect(codeOf(await rejectionOf(closing.send(req('/json')), 'a request during close'))).toBe(
          'SC_ERR_CLOSED',
        );
        // By the end of a full round trip a close() that does not wait would have resolved.
        await server.roundTrip();
        expect(closed).toBe(false);
        await server.release(id, 'released');
        const res = await within(pending, 'the request in flight');
        expect(res.status).toBe(200);
        expect(await within(res.text(), 'its body')).toBe('released');
        await within(closeDone, 'close() after the last request');
        expect(closed).toBe(true);
      });
    });

    describe('response size limit (maxResponseSize)', () => {
      const LIMIT = 64 * 1024;
      let limited: Transport;
      beforeAll(() => {
        limited = make({ maxResponseSize: LIMIT });
      });

      it('reads a body of exactly the limit, announced or chunked', async () => {
        const announced = await within(limited.send(req(`/large?size=${LIMIT}`)), 'a body at the limit');
        expect((await announced.bytes()).byteLength).toBe(LIMIT);
        const chunked = await within(
          limited.send(req(`/large-chunked?size=${LIMIT}`)),
          'a chunked body at the limit',
        );
        expect(await sha256(await chunked.bytes())).toBe(await sha256(patternBytes(LIMIT)));
      });

      it('refuses a larger content-length when the headers arrive, and closes the connection', async () => {
        const id = nextId();
        const error = await rejectionOf(
          limited.send(req(`/large?size=${LIMIT + 1}&stall=1&id=${id}&token=secret`)),
          'a response over the limit',
        );
        expect(isResponseTooLargeError(error), String(error)).toBe(true);
        expect(error).toMatchObject({ limit: LIMIT, contentLength: LIMIT + 1 });
        expect((error as Error).message).toContain(`GET ${server.origin}/large`);
        expect((error as Error).message).not.toContain('secret');
        await server.socketClosed(id);
      });

      it('fails the body read once a chunked body grows past the limit, and closes the connection', async () => {
        const id = nextId();
        const res = await within(
          limited.send(req(`/large-chunked?size=${LIMIT * 4}&stall=1&id=${id}`)),
          'the headers',
        );
        expect(res.status).toBe(200);
        const error = await rejectionOf(res.bytes(), 'reading a body over the limit');
        expect(isResponseTooLargeError(error), String(error)).toBe(true);
        expect(error).toMatchObject({ limit: LIMIT, contentLength: undefined });
        await server.socketClosed(id);
      });

      it('fails a body stream that grows past the limit', async () => {
        const res = await within(
          limited.send(req(`/large-chunked?size=${LIMIT * 4}&id=${nextId()}`)),
          'the headers',
        );
        const error = await rejectionOf(readStream(res.body!), 'streaming a body over the limit');
        expect(isResponseTooLargeError(error), String(error)).toBe(true);
      });

      it('keeps working after refusing a body', async () => {
        await rejectionOf(limited.send(req(`/large?size=${LIMIT * 2}`)), 'a response over the limit');
        const res = await within(limited.send(req('/json')), 'a request after the refused one');
        expect(await res.json()).toEqual({ hello: 'world', n: 1, list: [1, 2, 3] });
      });
    });

    /*
     * sendBuffered is optional in the contract: a transport without it is used through send. The
     * suite asks a transport made for the purpose which one this is, and says so in a test name.
     */
    const probe = create();
    const buffered = typeof probe.sendBuffered === 'function';
    void probe.close();
    if (!buffered) {
      it('has no sendBuffered: parsed calls go through send', () => {
        expect(transport.sendBuffered).toBeUndefined();
      });
    } else {
      describe('sendBuffered', () => {
        const sendWhole = (path: string, extra?: Partial<TransportRequest>, on = transport) =>
          within(on.sendBuffered!(req(path, extra)), `sendBuffered ${extra?.method ?? 'GET'} ${path}`);
        const text = (res: BufferedResponse) => res.bodyText();

        it('reads the whole body: status, headers, URL, bytes and text', async () => {
          const res = await sendWhole('/json?x=1');
          expect(res.status).toBe(200);
          expect(res.headers['content-type']).toBe('application/json');
          expect(res.url).toBe(`${server.origin}/json?x=1`);
          expect(JSON.parse(text(res))).toEqual({ hello: 'world', n: 1, list: [1, 2, 3] });
          expect((await sendWhole('/text')).bodyText()).toBe('héllo wörld ✓');
          const bytes = (await sendWhole('/bytes')).bodyBytes;
          expect(Array.from(bytes)).toEqual(Array.from({ length: 256 }, (_, i) => i));
          const teapot = await sendWhole(`/status?code=418&text=${encodeURIComponent("I'm a teapot")}`);
          expect([teapot.status, teapot.statusText, teapot.bodyText()]).toEqual([
            418,
            "I'm a teapot",
            'status 418',
          ]);
        });

        it('gives headers with lower-case names and a repeated set-cookie as an array', async () => {
          const res = await sendWhole('/headers');
          expect(res.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2']);
          expect(res.headers['x-custom-response']).toBe('yes');
        });

        it('reads empty bodies, HEAD and 204 as empty, and a large chunked body intact', async () => {
          expect((await sendWhole('/empty')).bodyBytes.byteLength).toBe(0);
          expect((await sendWhole('/echo', { method: 'HEAD' })).bodyBytes.byteLength).toBe(0);
          expect((await sendWhole('/status?code=204')).bodyText()).toBe('');
          const size = 1024 * 1024 + 3;
          const large = await sendWhole(`/large-chunked?size=${size}`);
          expect(large.bodyBytes.byteLength).toBe(size);
          expect(await sha256(large.bodyBytes)).toBe(await sha256(patternBytes(size)));
          expect((await sendWhole('/chunked')).bodyText()).toBe('one,two,three');
        });

        it('sends the method, headers and body like send', async () => {
          const res = await sendWhole('/echo?q=1', {
            method: 'POST',
            headers: { 'x-custom': 'one', 'content-type': 'text/plain' },
            body: 'héllo',
          });
          const seen = JSON.parse(res.bodyText()) as Echo;
          expect([seen.method, seen.url, seen.text, seen.headers['x-custom']]).toEqual([
            'POST',
            '/echo?q=1',
            'héllo',
            'one',
          ]);
        });

        it('is already used as a RawResponse: readers refuse with InvalidRequestError, dispose does nothing', async () => {
          const res = await sendWhole('/json');
          expect(res.bodyUsed).toBe(true);
          expect(res.body).toBeNull();
          expect(isInvalidRequestError(await rejectionOf(res.json(), 'json() of a buffered response'))).toBe(
            true,
          );
          await res.dispose();
          expect(res.bodyText()).toContain('hello');
        });

        it('fails like send: refused connection, read timeouts, aborts, closed', async () => {
          const port = await fixtures.closedPort();
          const refused = await rejectionOf(
            transport.sendBuffered!(requestTo(`http://127.0.0.1:${port}`, '/x')),
            'a refused connect',
          );
          expect(isConnectionError(refused), String(refused)).toBe(true);

          const slow = make({ readTimeout: SHORT_TIMEOUT });
          const headers = await rejectionOf(
            slow.sendBuffered!(req(`/stall-headers?id=${nextId()}`)),
            'headers that never come',
          );
          expect(headers).toMatchObject({ phase: 'read', timeoutMs: SHORT_TIMEOUT });
          expect(isTimeoutError(headers)).toBe(true);
          const body = await rejectionOf(
            slow.sendBuffered!(req(`/stall-body?id=${nextId()}`)),
            'a stalled body',
          );
          expect(isTimeoutError(body), String(body)).toBe(true);

          const before = new Error('before');
          expect(
            await rejectionOf(
              transport.sendBuffered!(req('/json', { signal: AbortSignal.abort(before) })),
              'aborted',
            ),
          ).toBe(before);
          for (const route of ['/stall-headers', '/stall-body']) {
            const controller = new AbortController();
            const id = nextId();
            const pending = transport.sendBuffered!(req(`${route}?id=${id}`, { signal: controller.signal }));
            await server.seen(id);
            const reason = new Error(`gave up on ${route}`);
            controller.abort(reason);
            expect(await rejectionOf(pending, `aborted on ${route}`)).toBe(reason);
          }

          const closing = make();
          await within(closing.close(), 'close()');
          const closed = await rejectionOf(closing.sendBuffered!(req('/json')), 'sendBuffered after close');
          expect(codeOf(closed)).toBe('SC_ERR_CLOSED');
        });

        it('keeps to maxResponseSize: refused at the headers or while reading, the connection closed', async () => {
          const limit = 64 * 1024;
          const limited = make({ maxResponseSize: limit });
          const announcedId = nextId();
          const announced = await rejectionOf(
            sendWhole(`/large?size=${limit + 1}&stall=1&id=${announcedId}`, {}, limited),
            'a buffered response over the limit',
          );
          expect(isResponseTooLargeError(announced), String(announced)).toBe(true);
          expect(announced).toMatchObject({ limit, contentLength: limit + 1 });
          await server.socketClosed(announcedId);
          const chunkedId = nextId();
          const chunked = await rejectionOf(
            sendWhole(`/large-chunked?size=${limit * 4}&stall=1&id=${chunkedId}`, {}, limited),
            'a chunked buffered response over the limit',
          );
          expect(isResponseTooLargeError(chunked), String(chunked)).toBe(true);
          await server.socketClosed(chunkedId);
          expect((await sendWhole(`/large-chunked?size=${limit}`, {}, limited)).bodyBytes.byteLength).toBe(
            limit,
          );
        });

        it('waits in close() for buffered requests in flight', async () => {
          const closing = make();
          const id = nextId();
          const pending = closing.sendBuffered!(req(`/hold?id=${id}`));
          await server.seen(id);
          let closed = false;
          const closeDone = closing.close().then(() => {
            closed = true;
          });
          await server.roundTrip();
          expect(closed).toBe(false);
          await server.release(id, 'released');
          expect((await within(pending, 'the held request')).bodyText()).toBe('released');
          await within(closeDone, 'close() after the last request');
        });
      });
    }

    describe('https', () => {
      const secure = { server: undefined as ServerFixture | undefined, ca: '' };
      beforeAll(async () => {
        secure.server = await fixtures.startServer({ tls: true });
        secure.ca = secure.server.ca ?? '';
      }, 60_000);
      afterAll(async () => {
        await secure.server?.close();
      });

      it('talks to an https server whose CA it was given', async () => {
        const trusting = make({ tls: { ca: secure.ca } });
        const res = await within(
          trusting.send(requestTo(secure.server!.origin, '/json')),
          'an https request',
        );
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({ hello: 'world', n: 1, list: [1, 2, 3] });
      });

      it('fails with ConnectionError against a server whose CA it does not trust', async () => {
        const error = await rejectionOf(
          transport.send(requestTo(secure.server!.origin, '/json')),
          'an https request to an untrusted server',
        );
        expect(isConnectionError(error), String(error)).toBe(true);
      });
    });

    additionalTests?.();
  });
}
