// Unrequested `100 Continue` responses (RFC 9110 §15.2: a client must parse one or more 1xx
// responses before the final one, even if it did not expect them), against raw `net` and `tls`
// servers on 127.0.0.1 that write exactly the bytes each case needs.
import { once } from 'node:events';
import net from 'node:net';
import type { Transport, TransportRequest } from '@service-caller/core';
import { isConnectionError, isServiceCallerError, isTimeoutError } from '@service-caller/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The testkit's throwaway CA (made with openssl per run); a test helper shared by relative path.
import { makeCertificates } from '../../testkit/src/transport/certificates.js';
import { undiciTransport } from '../src/index.js';
import { SLACK } from './support/misbehaving-suite.js';
import {
  every,
  GOOD_BODY,
  MISBEHAVIOURS,
  type Misbehaviour,
  startRawUpstream,
} from './support/raw-upstream.js';

const READ_TIMEOUT = 600;
const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';
const good = (body = GOOD_BODY, status = '200 OK') =>
  `HTTP/1.1 ${status}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
/** A body that itself holds the bytes of a `100 Continue`, which must reach the caller intact. */
const TRICKY_BODY = `${CONTINUE}${CONTINUE}and after`;

/** Writes `text` one byte per TCP segment (no Nagle), `ms` apart, then calls `done`. */
function bytewise(socket: net.Socket, text: string, ms: number, done: () => void): void {
  socket.setNoDelay(true);
  let at = 0;
  every(socket, ms, () => {
    if (at === text.length) {
      done();
      return false;
    }
    socket.write(text[at++] as string, 'latin1');
    return true;
  });
}

/** The sockets the `/recorded-*` paths were asked on, in order. */
const recorded: net.Socket[] = [];

const behaviours: Record<string, Misbehaviour> = {
  ...MISBEHAVIOURS,
  '/two-continues': (socket) => socket.write(`${CONTINUE}${CONTINUE}${good()}`),
  '/continue-headers': (socket) =>
    socket.write(`HTTP/1.1 100 Continue\r\nx-note: go on\r\nx-other: 1\r\n\r\nHTTP/1.0 100\r\n\r\n${good()}`),
  '/continue-bytewise': (socket) =>
    // The 100 a byte at a time, then the final status line's first bytes likewise, then the rest.
    bytewise(socket, `${CONTINUE}HTTP/1.1 2`, 2, () => socket.write(good().slice('HTTP/1.1 2'.length))),
  '/continue-tricky-body': (socket) => {
    // The final head, then (in a TCP segment of its own) a body that starts like a 100.
    socket.setNoDelay(true);
    const response = good(TRICKY_BODY);
    const headEnd = response.indexOf('\r\n\r\n') + 4;
    socket.write(`${CONTINUE}${response.slice(0, headEnd)}`);
    const timer = setTimeout(() => socket.write(response.slice(headEnd)), 30);
    socket.once('close', () => clearTimeout(timer));
  },
  '/continue-chunked-tricky-body': (socket) =>
    socket.write(
      `${CONTINUE}HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n${TRICKY_BODY.length.toString(16)}\r\n${TRICKY_BODY}\r\n0\r\n\r\n`,
    ),
  '/early-hints-then-continue': (socket) =>
    socket.write(`HTTP/1.1 103 Early Hints\r\nlink: </x.css>; rel=preload\r\n\r\n${CONTINUE}${good()}`),
  '/continue-then-early-hints': (socket) =>
    socket.write(`${CONTINUE}HTTP/1.1 103 Early Hints\r\nlink: </x.css>; rel=preload\r\n\r\n${good()}`),
  '/continue-never-ends': (socket) => {
    socket.write('HTTP/1.1 100 Continue\r\n');
    let n = 0;
    every(socket, 50, () => socket.write(`x-slow-${n++}: v\r\n`));
  },
  '/recorded-good': (socket) => {
    recorded.push(socket);
    socket.write(good());
  },
  '/recorded-continue': (socket) => {
    recorded.push(socket);
    socket.write(`${CONTINUE}${good()}`);
  },
};

type Upstream = Awaited<ReturnType<typeof startRawUpstream>>;

const request = (origin: string, path: string, extra: Partial<TransportRequest> = {}): TransportRequest => ({
  method: 'GET',
  origin,
  path,
  headers: {},
  ...extra,
});

/** The status and body text of the same request sent raw (`send`) and buffered (`sendBuffered`). */
async function bothPaths(transport: Transport, make: () => TransportRequest) {
  const raw = await transport.send(make());
  const rawAnswer = { status: raw.status, body: await raw.text() };
  const buffered = await transport.sendBuffered!(make());
  return [rawAnswer, { status: buffered.status, body: new TextDecoder().decode(buffered.bodyBytes) }];
}

async function expectGood(transport: Transport, origin: string, path: string, body = GOOD_BODY) {
  for (const answer of await bothPaths(transport, () => request(origin, path))) {
    expect(answer).toEqual({ status: 200, body });
  }
}

/** A call's rejection and how long it took; fails the test if the call resolved. */
async function failure(call: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  const error = await call().then(
    () => new Error('the call resolved'),
    (caught: unknown) => caught,
  );
  return { error, ms: performance.now() - started };
}

describe('undici transport: unrequested 100 Continue', () => {
  let upstream: Upstream;
  let transport: Transport;

  beforeAll(async () => {
    upstream = await startRawUpstream(behaviours);
    transport = undiciTransport({ readTimeout: READ_TIMEOUT, closeTimeout: 1000 });
  });
  afterAll(async () => {
    await transport.close();
    await upstream.close();
  });

  it.each([
    ['a 100 before a 200', '/continue'],
    ['two 100s', '/two-continues'],
    ['a 100 with headers, and an HTTP/1.0 100 without a reason phrase', '/continue-headers'],
    ['a 100 split across TCP segments byte by byte, the final status line too', '/continue-bytewise'],
    ['a 103 then a 100', '/early-hints-then-continue'],
    ['a 100 then a 103', '/continue-then-early-hints'],
  ])('answers through %s, raw and buffered', async (_, path) => {
    await expectGood(transport, upstream.origin, path);
    await expectGood(transport, upstream.origin, '/good');
  });

  it('delivers a body that itself holds 100 Continue bytes intact (content-length and chunked)', async () => {
    await expectGood(transport, upstream.origin, '/continue-tricky-body', TRICKY_BODY);
    await expectGood(transport, upstream.origin, '/continue-chunked-tricky-body', TRICKY_BODY);
  });

  it('strips a 100 on the second request of a kept-alive connection', async () => {
    const single = undiciTransport({ connections: 1, readTimeout: READ_TIMEOUT, closeTimeout: 1000 });
    try {
      recorded.length = 0;
      for (const path of ['/recorded-good', '/recorded-continue', '/recorded-continue', '/recorded-good']) {
        const res = await single.sendBuffered!(request(upstream.origin, path));
        expect(new TextDecoder().decode(res.bodyBytes)).toBe(GOOD_BODY);
      }
      const raw = await single.send(request(upstream.origin, '/recorded-continue'));
      expect(await raw.text()).toBe(GOOD_BODY);
      // One connection served all five: the 100s did not cost it.
      expect(recorded).toHaveLength(5);
      expect(new Set(recorded).size).toBe(1);
    } finally {
      await single.close();
    }
  });

  it('fails a 100 whose head never ends past 16 KiB with a ConnectionError, at once, then recovers', async () => {
    for (const send of [
      () => transport.send(request(upstream.origin, '/continue-endless')).then((res) => res.text()),
      () => transport.sendBuffered!(request(upstream.origin, '/continue-endless')),
    ]) {
      const { error, ms } = await failure(send);
      expect(isConnectionError(error), String(error)).toBe(true);
      expect((error as Error).message).toContain('interim 1xx response');
      expect((error as { code?: unknown }).code).toBe('SC_ERR_CONNECTION');
      expect(String(error)).not.toContain('f'.repeat(50));
      // A ConnectionError, not the read timeout's TimeoutError: the size bound ends it, not the clock.
      expect(ms).toBeLessThan(READ_TIMEOUT + SLACK);
    }
    await expectGood(transport, upstream.origin, '/good');
  });

  it('fails a 100 whose head trickles on for ever at the read timeout, then recovers', async () => {
    for (const send of [
      () => transport.send(request(upstream.origin, '/continue-never-ends')),
      () => transport.sendBuffered!(request(upstream.origin, '/continue-never-ends')),
    ]) {
      const { error, ms } = await failure(send);
      expect(isTimeoutError(error), String(error)).toBe(true);
      expect(ms).toBeLessThan(READ_TIMEOUT + SLACK);
    }
    await expectGood(transport, upstream.origin, '/good');
  });

  it('keeps undici’s behaviour with pipelining > 1: a 100 fails the call with a ConnectionError', async () => {
    const pipelined = undiciTransport({ pipelining: 2, readTimeout: READ_TIMEOUT, closeTimeout: 1000 });
    try {
      const { error } = await failure(() => pipelined.sendBuffered!(request(upstream.origin, '/continue')));
      expect(isConnectionError(error), String(error)).toBe(true);
      expect((error as Error).message).toContain('100 Continue');
      const res = await pipelined.sendBuffered!(request(upstream.origin, '/good'));
      expect(res.status).toBe(200);
    } finally {
      await pipelined.close();
    }
  });
});

/**
 * A server that reads whole requests (head and `content-length` body), answers `100 Continue` as
 * soon as a head is in, and `201` with the body's bytes once the body is.
 */
async function startEchoUpstream() {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let pending = Buffer.alloc(0);
    let bodyLength = -1;
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        if (bodyLength === -1) {
          const end = pending.indexOf('\r\n\r\n');
          if (end === -1) return;
          const head = pending.subarray(0, end).toString('latin1');
          pending = pending.subarray(end + 4);
          const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1];
          bodyLength = length === undefined ? 0 : Number(length);
          socket.write(CONTINUE);
        }
        if (pending.length < bodyLength) return;
        const body = pending.subarray(0, bodyLength).toString('utf8');
        pending = pending.subarray(bodyLength);
        bodyLength = -1;
        socket.write(good(body, '201 Created'));
      }
    });
  });
  server.listen({ port: 0, host: '127.0.0.1' });
  await once(server, 'listening');
  return {
    origin: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

describe('undici transport: a POST answered 100 then 201', () => {
  let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;
  let transport: Transport;
  beforeAll(async () => {
    upstream = await startEchoUpstream();
    transport = undiciTransport({ readTimeout: READ_TIMEOUT, closeTimeout: 1000 });
  });
  afterAll(async () => {
    await transport.close();
    await upstream.close();
  });

  it('sends the body and reads the 201, raw and buffered, twice on a kept-alive connection', async () => {
    const body = JSON.stringify({ name: 'x'.repeat(5000), note: CONTINUE });
    const post = () =>
      request(upstream.origin, '/things', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
    for (let round = 0; round < 2; round++) {
      for (const answer of await bothPaths(transport, post)) expect(answer).toEqual({ status: 201, body });
    }
  });

  it('sends a streamed body (its length in a header) and reads the 201', async () => {
    const parts = ['{"a":', '"streamed"}'];
    const stream = () =>
      new ReadableStream<Uint8Array>({
        pull(controller) {
          const part = parts.length > 0 ? parts.shift() : undefined;
          if (part === undefined) controller.close();
          else controller.enqueue(new TextEncoder().encode(part));
        },
      });
    const res = await transport.send(
      request(upstream.origin, '/things', {
        method: 'POST',
        headers: { 'content-length': '16' },
        body: stream(),
      }),
    );
    expect(res.status).toBe(201);
    expect(await res.text()).toBe('{"a":"streamed"}');
  });
});

describe('undici transport: unrequested 100 Continue over TLS', () => {
  let upstream: Upstream;
  let transport: Transport;
  beforeAll(async () => {
    const certificates = await makeCertificates();
    upstream = await startRawUpstream(behaviours, certificates);
    transport = undiciTransport({
      readTimeout: READ_TIMEOUT,
      closeTimeout: 1000,
      tls: { ca: certificates.ca },
    });
  });
  afterAll(async () => {
    await transport.close();
    await upstream.close();
  });

  it('answers through a 100, two 100s, and a byte-by-byte 100, raw and buffered', async () => {
    expect(upstream.origin).toMatch(/^https:/);
    for (const path of ['/continue', '/two-continues', '/continue-bytewise', '/good']) {
      await expectGood(transport, upstream.origin, path);
    }
    const { error } = await failure(() =>
      transport.sendBuffered!(request(upstream.origin, '/continue-endless')),
    );
    expect(isServiceCallerError(error) && isConnectionError(error), String(error)).toBe(true);
  });
});
