import type { ServerResponse } from 'node:http';
import { reply, startServer, type TestServer } from './test-server.js';

/** The echo server's answer on `/echo...`. */
export interface Echo {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A real server with routes for every kind of answer the engine tests need. */
export interface EchoServer extends TestServer {
  /** Responses held on `/gate` until released, oldest first. */
  readonly gated: number;
  /** Answers the oldest request held on `/gate` with 200 `{"gate":"open"}`. */
  release(): void;
}

export async function startEchoServer(): Promise<EchoServer> {
  const gates: ServerResponse[] = [];
  const server = await startServer((req, res, body) => {
    const url = req.url ?? '/';
    const path = url.split('?')[0]!;
    const status = /^\/status\/(\d+)$/.exec(path);
    if (path.startsWith('/echo')) {
      reply(
        res,
        200,
        JSON.stringify({ method: req.method ?? '', url, headers: req.headers, body } satisfies Echo),
        'application/json; charset=utf-8',
      );
    } else if (status) {
      const code = Number(status[1]);
      if (code === 204 || code === 304) reply(res, code);
      else reply(res, code, JSON.stringify({ status: code, message: 'as asked' }), 'application/json');
    } else if (path === '/error-text') {
      reply(res, 500, 'it broke', 'text/plain');
    } else if (path === '/error-invalid-json') {
      reply(res, 502, '<html>bad gateway</html>', 'application/json');
    } else if (path === '/json') {
      reply(res, 200, '{"a":1,"list":[1,2]}', 'application/json');
    } else if (path === '/problem') {
      reply(res, 200, '{"title":"x"}', 'application/problem+json; charset=utf-8');
    } else if (path === '/json-upper') {
      reply(res, 200, '{"upper":true}', 'Application/JSON ; Charset=UTF-8');
    } else if (path === '/text') {
      reply(res, 200, 'hello, wörld', 'text/plain; charset=utf-8');
    } else if (path === '/html') {
      reply(res, 200, '<p>hi</p>', 'text/html');
    } else if (path === '/latin1') {
      reply(res, 200, new Uint8Array([0x63, 0x61, 0x66, 0xe9]), 'text/plain; charset=ISO-8859-1');
    } else if (path === '/unknown-charset') {
      reply(res, 200, 'plain', 'text/plain; charset=x-no-such-charset');
    } else if (path === '/bytes') {
      reply(res, 200, new Uint8Array([1, 2, 3, 250]), 'application/octet-stream');
    } else if (path === '/no-type') {
      reply(res, 200, new Uint8Array([7, 8]));
    } else if (path === '/empty-json') {
      reply(res, 200, '', 'application/json');
    } else if (path === '/empty-chunked') {
      res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      res.end();
    } else if (path === '/empty-text-chunked') {
      res.writeHead(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' });
      res.end();
    } else if (path === '/empty-bytes-chunked') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' });
      res.end();
    } else if (path === '/invalid-json') {
      reply(res, 200, '{oops', 'application/json');
    } else if (path === '/hang') {
      // Never answers; the connection is destroyed when the client gives up or the server closes.
    } else if (path === '/hang-body') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"a":');
    } else if (path === '/gate') {
      gates.push(res);
    } else {
      reply(res, 404, JSON.stringify({ error: 'no route', path }), 'application/json');
    }
  });
  return {
    ...server,
    port: server.port,
    seen: server.seen,
    get gated() {
      return gates.length;
    },
    release() {
      const res = gates.shift();
      if (res === undefined) throw new Error('no request is waiting at /gate');
      reply(res, 200, '{"gate":"open"}', 'application/json');
    },
  };
}
