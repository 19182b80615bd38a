import { createHash } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import { within } from './bounded.js';
import { type Echo, LARGE_BODY, patternBytes } from './bytes.js';

/**
 * A `node:http` (or `node:https`) server on 127.0.0.1 with the routes the suite needs. Routes
 * that stall or hold take an `id` query parameter so that a test can wait for the server to have
 * seen exactly its request.
 */
export class TestServer {
  readonly #server: http.Server;
  readonly #sockets = new Set<net.Socket>();
  readonly #socketClosed = new Map<string, Promise<void>>();
  readonly #seen = new Map<string, () => void>();
  readonly #seenEarly = new Set<string>();
  readonly #held = new Map<string, http.ServerResponse>();
  origin = '';

  constructor(tls?: { key: string; cert: string }) {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => this.#handle(req, res);
    this.#server = tls ? https.createServer(tls, handler) : http.createServer(handler);
    // Connections stay open between requests for as long as the transport wants them.
    this.#server.keepAliveTimeout = 60_000;
    this.#server.on('connection', (socket: net.Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
  }

  /** Connections open right now. */
  get openSockets(): number {
    return this.#sockets.size;
  }

  async start(): Promise<void> {
    this.#server.listen({ port: 0, host: '127.0.0.1' });
    await within(once(this.#server, 'listening'), 'test server listening');
    const { port } = this.#server.address() as net.AddressInfo;
    this.origin = `${this.#server instanceof https.Server ? 'https' : 'http'}://127.0.0.1:${port}`;
  }

  /** Resolves once a request with this `id` reached the server. */
  seen(id: string): Promise<void> {
    if (this.#seenEarly.delete(id)) return Promise.resolve();
    return within(
      new Promise<void>((resolve) => this.#seen.set(id, resolve)),
      `the test server receiving request ${id}`,
    );
  }

  /** Answers the held request `id` with `text`. */
  release(id: string, text: string): void {
    const res = this.#held.get(id);
    if (!res) throw new Error(`no held request ${id}`);
    this.#held.delete(id);
    res.end(text);
  }

  async close(): Promise<void> {
    const closed = once(this.#server, 'close');
    this.#server.close();
    // Stalled and held requests never finish by themselves.
    this.#server.closeAllConnections();
    await within(closed, 'test server closing');
  }

  /** Resolves once the connection that carried request `id` (one that named an `id`) has closed. */
  socketClosed(id: string): Promise<void> {
    const closed = this.#socketClosed.get(id);
    if (!closed) throw new Error(`no request ${id} has been seen`);
    return within(closed, `the connection of request ${id} closing`);
  }

  #markSeen(id: string | null): void {
    if (id === null) return;
    const resolve = this.#seen.get(id);
    if (resolve) {
      this.#seen.delete(id);
      resolve();
    } else {
      this.#seenEarly.add(id);
    }
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://test');
    const query = url.searchParams;
    const id = query.get('id');
    if (id !== null && !this.#socketClosed.has(id)) {
      const socket = req.socket;
      // Not events.once: that rejects on the 'error' (a reset) that often comes first.
      this.#socketClosed.set(
        id,
        socket.destroyed
          ? Promise.resolve()
          : new Promise<void>((resolve) => socket.once('close', () => resolve())),
      );
    }
    switch (url.pathname) {
      case '/echo':
        this.#echo(req, res);
        return;
      case '/status': {
        const code = Number(query.get('code') ?? 200);
        res.writeHead(code, query.get('text') ?? undefined, { 'content-type': 'text/plain' });
        res.end(code === 204 || code === 304 ? undefined : `status ${code}`);
        return;
      }
      case '/headers':
        res.setHeader('set-cookie', ['a=1; Path=/', 'b=2']);
        res.setHeader('X-Custom-Response', 'yes');
        res.setHeader('content-type', 'text/plain');
        res.end('ok');
        return;
      case '/json':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ hello: 'world', n: 1, list: [1, 2, 3] }));
        return;
      case '/text':
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('héllo wörld ✓');
        return;
      case '/bytes':
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
        return;
      case '/empty':
        res.writeHead(200, { 'content-length': '0' });
        res.end();
        return;
      case '/chunked':
        // Three separate writes: a chunked body that arrives in pieces.
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('one,');
        setImmediate(() => {
          res.write('two,');
          setImmediate(() => res.end('three'));
        });
        return;
      case '/large': {
        const size = Number(query.get('size') ?? LARGE_BODY);
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(size) });
        // `stall=1`: the first half, then nothing. The body never completes, so the only way the
        // connection closes is the client dropping it (a runtime may keep, for reuse, one whose
        // body arrived whole, refused or not: Bun's fetch does).
        if (query.get('stall') === '1') res.write(Buffer.from(patternBytes(Math.floor(size / 2))));
        else res.end(Buffer.from(patternBytes(size)));
        return;
      }
      case '/large-chunked': {
        // No content-length: the size is only found out while reading. Written in 16 KiB pieces;
        // with `stall=1`, only the first half of them, and the body never ends.
        const size = Number(query.get('size') ?? LARGE_BODY);
        const stop = query.get('stall') === '1' ? Math.floor(size / 2) : size;
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        let sent = 0;
        const next = () => {
          if (res.destroyed) return;
          if (sent >= stop) {
            if (stop === size) res.end();
            return;
          }
          const piece = Math.min(16 * 1024, stop - sent);
          res.write(Buffer.from(patternBytes(piece, sent)), () => setImmediate(next));
          sent += piece;
        };
        next();
        return;
      }
      case '/redirect':
        res.writeHead(302, { location: '/json' });
        res.end();
        return;
      case '/stall-headers':
        // Never answers: the transport's read timeout (or an abort) must end the wait.
        this.#markSeen(query.get('id'));
        return;
      case '/stall-body':
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('partial', () => this.#markSeen(query.get('id')));
        return;
      case '/hold': {
        const id = query.get('id') ?? '';
        this.#held.set(id, res);
        res.writeHead(200, { 'content-type': 'text/plain' });
        this.#markSeen(id);
        return;
      }
      default:
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found');
    }
  }

  #echo(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const echo: Echo = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        length: body.length,
        sha256: createHash('sha256').update(body).digest('hex'),
        ...(body.length <= 4096 ? { text: body.toString('utf8') } : {}),
      };
      res.writeHead(200, { 'content-type': 'application/json', 'x-echo-method': req.method ?? '' });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify(echo));
    });
  }
}

/** A plain `node:http` round trip to the server: a point by which a promise that resolves "soon" has resolved. */
export async function roundTrip(origin: string): Promise<void> {
  const res = await within(
    new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get(`${origin}/json`, { agent: false }, resolve).on('error', reject);
    }),
    'a round trip to the test server',
  );
  res.resume();
  await within(once(res, 'end'), 'the round trip body');
}
