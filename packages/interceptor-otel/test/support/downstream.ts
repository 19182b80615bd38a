import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** The headers of one request the downstream service received, by path (query included). */
export interface ReceivedRequest {
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
}

/**
 * The service the traced calls go to: a real `node:http` server on 127.0.0.1 (port 0) that keeps
 * the headers of every request, so a test can read the `traceparent` and `baggage` it received.
 *
 * Routes: `/status/<code>` answers that status with a JSON body; `/slow` answers after
 * `slowMs`; anything else answers 200 `{"ok":true}`.
 */
export class Downstream {
  readonly received: ReceivedRequest[] = [];
  readonly #server = http.createServer((req, res) => this.#handle(req, res));
  port = 0;

  constructor(readonly slowMs = 2_000) {}

  async start(): Promise<this> {
    this.#server.listen({ host: '127.0.0.1', port: 0 });
    await once(this.#server, 'listening');
    this.port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    this.#server.close();
    await once(this.#server, 'close');
  }

  /** The one request that reached `path`; fails when there is none or more than one. */
  only(path: string): ReceivedRequest {
    const matching = this.received.filter((r) => r.url === path);
    if (matching.length !== 1) throw new Error(`expected one request to ${path}, found ${matching.length}`);
    return matching[0]!;
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = req.url ?? '/';
    this.received.push({ url, headers: req.headers });
    const status = /^\/status\/(\d{3})/.exec(url);
    const send = (code: number) => {
      const body = JSON.stringify(code < 400 ? { ok: true } : { error: code });
      res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (status) send(Number(status[1]));
    else if (url.startsWith('/slow')) setTimeout(send, this.slowMs, 200).unref();
    else send(200);
  }
}

/** A port nothing listens on: bound, read and closed again (a call to it is refused). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  server.listen({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}
