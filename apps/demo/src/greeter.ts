import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Options of {@link startGreeter}. */
export interface GreeterOptions {
  /** Shown in every answer: `greeter-1`. */
  name: string;
  /** Address to listen on; the demo only ever uses 127.0.0.1. */
  host: string;
  /** Port to listen on; 0 picks a free one (the Nacos profile registers whatever it got). */
  port: number;
  /** The bearer token a request must carry, as the AuthInterceptor sends it. */
  token: string;
}

/** A running greeter instance. */
export interface Greeter {
  readonly name: string;
  readonly host: string;
  /** The port it listens on (the real one when started with 0). */
  readonly port: number;
  /** Requests answered with 200 so far. */
  readonly served: number;
  /** Of those, the ones that carried a valid W3C `traceparent` (the otel interceptor sends one). */
  readonly traced: number;
  /** Stops listening and drops idle keep-alive connections. Idempotent. */
  close(): Promise<void>;
}

/** What a greeter answers to `GET /hello?name=...`. */
export interface Greeting {
  message: string;
  instance: string;
  port: number;
  /** How many greetings this instance has given, this one included. */
  count: number;
  /** The trace id of the request's `traceparent` header, when it had a valid one. */
  traceId?: string;
}

/** `00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`, ids not all zero. */
const TRACEPARENT = /^00-(?!0{32})([0-9a-f]{32})-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * Starts one instance of the demo's "greeter" service: `GET /hello?name=x` answers with the
 * instance's name, port and a counter, so the caller's output shows which instance answered.
 * A request without the right bearer token gets 401, which is what makes the AuthInterceptor's
 * work visible.
 */
export function startGreeter(options: GreeterOptions): Promise<Greeter> {
  const expected = Buffer.from(`Bearer ${options.token}`);
  let served = 0;
  let traced = 0;
  let port = options.port;

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://greeter');
    if (url.pathname !== '/hello') {
      reply(res, 404, { error: `no route ${req.method} ${url.pathname}` });
      return;
    }
    const given = Buffer.from(req.headers.authorization ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      reply(res, 401, { error: 'missing or wrong bearer token' });
      return;
    }
    served++;
    const name = url.searchParams.get('name') ?? 'stranger';
    const greeting: Greeting = {
      message: `Hello, ${name}!`,
      instance: options.name,
      port,
      count: served,
    };
    const traceId = TRACEPARENT.exec(String(req.headers.traceparent ?? ''))?.[1];
    if (traceId !== undefined) {
      traced++;
      greeting.traceId = traceId;
    }
    reply(res, 200, greeting);
  };

  const server = createServer(handle);
  return new Promise<Greeter>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`${options.name} cannot listen on ${options.host}:${options.port}: the port is taken`, {
              cause: error,
            })
          : error,
      );
    });
    server.listen(options.port, options.host, () => {
      port = (server.address() as AddressInfo).port;
      let closing: Promise<void> | undefined;
      resolve({
        name: options.name,
        host: options.host,
        port,
        get served() {
          return served;
        },
        get traced() {
          return traced;
        },
        close() {
          closing ??= new Promise<void>((done) => {
            server.close(() => done());
            // The caller's pool keeps connections open; close() alone would wait for them.
            server.closeAllConnections();
          });
          return closing;
        },
      });
    });
  });
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
