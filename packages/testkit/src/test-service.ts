import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { within } from './transport/bounded.js';

export { closedPort } from './transport/unreachable.js';

/** One request a {@link TestService} received. */
export interface TestServiceRequest {
  readonly method: string;
  /** Path and query, as sent. */
  readonly url: string;
  /** Lower-case names, as `node:http` gives them. */
  readonly headers: http.IncomingHttpHeaders;
}

/** A running {@link startTestService}. */
export interface TestService {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** Every request received so far, oldest first. Clear it with `requests.length = 0`. */
  readonly requests: TestServiceRequest[];
  /** The one request received for `url` (path and query); throws when there is none or more than one. */
  only(url: string): TestServiceRequest;
  /** Stops listening, drops open connections and answers no delayed request. Idempotent. */
  close(): Promise<void>;
}

/** The longest `/delay/<ms>` honoured: a test waits for an event, not for minutes. */
const MAX_DELAY_MS = 60_000;

/**
 * A small real HTTP service on 127.0.0.1 (port 0) for testing an interceptor through real calls:
 * it keeps every request it received (method, URL, headers: what an interceptor added) and
 * answers by route, each with a JSON body and `content-length`:
 *
 * - `/status/<code>`: that status, body `{"status":<code>}`;
 * - `/delay/<ms>`: 200 after `ms` milliseconds (at most 60 000), body `{"ok":true}`;
 * - anything else: 200, body `{"ok":true}`.
 *
 * @example
 * ```ts
 * const service = await startTestService();
 * const engine = createCallEngine({
 *   discovery: staticRegistry({ services: { svc: [{ host: service.host, port: service.port }] } }),
 *   transport: undiciTransport(),
 *   loadBalancer: roundRobin(),
 *   interceptors: [myInterceptor],
 * });
 * await engine.request('GET', 'svc', '/status/503').catch(() => {});
 * service.only('/status/503').headers['x-request-id'];
 * await service.close();
 * ```
 */
export async function startTestService(): Promise<TestService> {
  const requests: TestServiceRequest[] = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    requests.push({ method: req.method ?? '', url, headers: req.headers });
    const answer = (status: number, payload: unknown) => {
      const body = JSON.stringify(payload);
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
    };
    const status = /^\/status\/(\d{3})(?:[/?]|$)/.exec(url);
    const delay = /^\/delay\/(\d+)(?:[/?]|$)/.exec(url);
    if (status) {
      answer(Number(status[1]), { status: Number(status[1]) });
    } else if (delay) {
      const timer = setTimeout(
        () => {
          timers.delete(timer);
          answer(200, { ok: true });
        },
        Math.min(Number(delay[1]), MAX_DELAY_MS),
      );
      timers.add(timer);
    } else {
      answer(200, { ok: true });
    }
  });
  server.listen({ host: '127.0.0.1', port: 0 });
  await within(once(server, 'listening'), 'the test service listening');
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    host: '127.0.0.1',
    port,
    requests,
    only(url) {
      const matching = requests.filter((r) => r.url === url);
      if (matching.length !== 1) {
        throw new Error(`test service: expected one request to ${url}, found ${matching.length}`);
      }
      return matching[0]!;
    },
    close() {
      if (closing === undefined) {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        const closed = once(server, 'close');
        server.closeAllConnections();
        server.close();
        closing = within(closed, 'the test service closing').then(() => {});
      }
      return closing;
    },
  };
}
