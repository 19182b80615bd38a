import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The HTTP server the consumers call, on 127.0.0.1. */
export interface Upstream {
  readonly port: number;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Requests answered so far. */
  readonly requests: number;
  close(): Promise<void>;
}

/**
 * Starts the consumers' upstream on 127.0.0.1, port 0. `/status/<code>` answers that status
 * with `{"status": code}`; anything else answers 200 with `{"method", "path"}` (the path with
 * its query), so a consumer's output is the same on every run. Consumers reach it through
 * `PACK_CHECK_UPSTREAM_PORT` / `PACK_CHECK_UPSTREAM_URL` (the projects' config files use
 * `${PACK_CHECK_UPSTREAM_PORT}`).
 */
export async function startUpstream(): Promise<Upstream> {
  let requests = 0;
  const server = createServer((req, res) => {
    requests += 1;
    req.resume();
    const status = /^\/status\/(\d{3})(?:\?|$)/.exec(req.url ?? '');
    const code = status === null ? 200 : Number(status[1]);
    const body = status === null ? { method: req.method, path: req.url } : { status: code };
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
