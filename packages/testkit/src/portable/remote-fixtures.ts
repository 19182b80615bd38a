import type { FixtureKind } from './fixture-protocol.js';
import type { ServerFixture, SuiteFixtures } from './fixtures.js';

/** What the suites wait for at most on one control request; the server bounds its own waits at 10 s. */
const CONTROL_BOUND = 30_000;

/**
 * The suites' fixtures, served by `serveFixtures` (`@service-caller/testkit/node`) in a Node
 * process at `url`. For running the portable suites on a runtime without Node's modules: every
 * server lives over there, and only HTTP crosses. Control requests use `fetch` (the global one
 * unless given), each bounded; `roundTrip` is a plain `fetch` of the server's `/json`.
 *
 * @example
 * ```ts
 * const fixtures = remoteFixtures('http://127.0.0.1:40123');
 * transportSuite(api, { name: 'fetch', create: (o) => fetchTransport(o) }, fixtures);
 * ```
 */
export function remoteFixtures(url: string, options: { fetch?: typeof fetch } = {}): SuiteFixtures {
  // Called bare: workerd's fetch refuses any `this` but the global scope.
  const fetchFunction = options.fetch ?? globalThis.fetch;
  const control = async (route: string, body: Record<string, unknown>): Promise<unknown> => {
    const what = `${route} ${JSON.stringify(body)}`;
    let res: Response;
    try {
      res = await fetchFunction(`${url}${route}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(CONTROL_BOUND),
      });
    } catch (error) {
      throw new Error(`fixture server at ${url}: ${what} failed: ${String(error)}`, { cause: error });
    }
    const answer = (await res.json()) as { value?: unknown; error?: string };
    if (!res.ok) throw new Error(`fixture server: ${what}: ${answer.error ?? `status ${res.status}`}`);
    return answer.value;
  };
  const start = (kind: FixtureKind, extra: Record<string, unknown> = {}) =>
    control('/start', { kind, ...extra }) as Promise<{
      handle: string;
      origin?: string;
      ca?: string;
      ports?: number[];
    }>;
  const call = (handle: string, method: string, ...args: unknown[]) =>
    control('/call', { handle, method, args });

  return {
    async startServer(serverOptions) {
      const { handle, origin = '', ca } = await start('server', { tls: serverOptions?.tls === true });
      const server: ServerFixture = {
        origin,
        ...(ca === undefined || ca === null ? {} : { ca }),
        seen: async (id) => {
          await call(handle, 'seen', id);
        },
        release: async (id, text) => {
          await call(handle, 'release', id, text);
        },
        openSockets: async () => Number(await call(handle, 'openSockets')),
        socketClosed: async (id) => {
          await call(handle, 'socketClosed', id);
        },
        roundTrip: async () => {
          const res = await fetchFunction(`${origin}/json`, { signal: AbortSignal.timeout(CONTROL_BOUND) });
          await res.arrayBuffer();
        },
        close: async () => {
          await call(handle, 'close');
        },
      };
      return server;
    },
    async startBlackhole() {
      const { handle, origin = '' } = await start('blackhole');
      return { origin, close: async () => void (await call(handle, 'close')) };
    },
    closedPort: async () => Number(await control('/closed-port', {})),
    async startHealthServers(count) {
      const { handle, ports = [] } = await start('health', { count });
      return { ports, close: async () => void (await call(handle, 'close')) };
    },
  };
}
