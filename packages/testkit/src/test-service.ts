import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type CallEngine,
  createCallEngine,
  type LoadBalancer,
  type RetryOptions,
  roundRobin,
  type ServiceInterceptor,
  type StaticInstanceInput,
  silentLogger,
  staticRegistry,
  type Transport,
} from '@service-caller/core';
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

/** What {@link TestService.callEngine} builds the engine from. */
export interface TestServiceEngineOptions {
  /** The transport the calls go over (a devDependency of the package under test). */
  transport: Transport;
  /** The interceptors under test. @default [] */
  interceptors?: readonly ServiceInterceptor[];
  /**
   * More services in the engine's static registry, e.g. one on a `closedPort()`; a list under
   * the service's own `name` replaces its one instance (to add a second).
   * @default {}
   */
  services?: Readonly<Record<string, readonly StaticInstanceInput[]>>;
  /** @default roundRobin() */
  loadBalancer?: LoadBalancer;
  /**
   * The engine's retries: `false` for one attempt per call (to assert on a single attempt), or
   * settings (a failing route is then retried on the same one instance). @default the engine's (up to 3 attempts)
   */
  retry?: RetryOptions | false;
}

/** A running {@link startTestService}. */
export interface TestService {
  /** The service name {@link TestService.callEngine} registers this service under. */
  readonly name: string;
  readonly host: '127.0.0.1';
  readonly port: number;
  /** Every request received so far, oldest first. Clear it with `requests.length = 0`. */
  readonly requests: TestServiceRequest[];
  /** The one request received for `url` (path and query); throws when there is none or more than one. */
  only(url: string): TestServiceRequest;
  /**
   * A real call engine (core's `createCallEngine`) whose static registry lists this service
   * under `name` (plus `services`), with a silent logger. `close()` closes it too.
   */
  callEngine(options: TestServiceEngineOptions): CallEngine;
  /** Closes the engines made by `callEngine`, stops listening, drops open connections and answers no delayed request. Idempotent. */
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
 * const engine = service.callEngine({ transport: undiciTransport(), interceptors: [myInterceptor] });
 * await engine.request('GET', service.name, '/status/503').catch(() => {});
 * service.only('/status/503').headers['x-request-id'];
 * await service.close(); // closes the engine too
 * ```
 */
export async function startTestService(options: { name?: string } = {}): Promise<TestService> {
  const name = options.name ?? 'test-service';
  const requests: TestServiceRequest[] = [];
  const engines: CallEngine[] = [];
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
  const stop = async () => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    const closed = once(server, 'close');
    // Connections first: an engine's close() waits for its calls in flight, delayed ones included.
    server.closeAllConnections();
    server.close();
    await within(
      Promise.all(engines.splice(0).map((engine) => engine.close())),
      'the test service closing its engines',
    );
    await within(closed, 'the test service closing');
  };
  return {
    name,
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
    callEngine({ transport, interceptors = [], services = {}, loadBalancer = roundRobin(), retry }) {
      const engine = createCallEngine({
        discovery: staticRegistry({
          services: { [name]: [{ host: '127.0.0.1', port }], ...services },
          logger: silentLogger,
        }),
        transport,
        loadBalancer,
        interceptors,
        logger: silentLogger,
        ...(retry === undefined ? {} : { retry }),
      });
      engines.push(engine);
      return engine;
    },
    close() {
      closing ??= stop();
      return closing;
    },
  };
}
