import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A real HTTP server on 127.0.0.1 with an OS-chosen port. */
export interface TestServer {
  readonly port: number;
  readonly server: Server;
  /** Requests received so far (method, url, headers, body as text). */
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (req: RecordedRequest, res: ServerResponse) => void | Promise<void>;

/** Starts a server whose handler sees the request with its body already read. */
export async function startServer(handler: Handler): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      Promise.resolve(handler(recorded, res)).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    server,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers every request with a JSON echo of what it received (HEAD: headers only). */
export const echoHandler: Handler = (req, res) => {
  const payload = JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: req.body });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
  res.end(req.method === 'HEAD' ? undefined : payload);
};

/** The static-registry config for services served by local test servers. */
export function staticConfig(services: Record<string, readonly TestServer[]>, serviceCaller: object = {}) {
  const entries = Object.entries(services).map(([name, servers]) => [
    name,
    servers.map((s) => ({ host: '127.0.0.1', port: s.port })),
  ]);
  return { serviceCaller, appRegistry: { static: { services: Object.fromEntries(entries) } } };
}
