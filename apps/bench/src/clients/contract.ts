/** Where the upstream instances listen; every client spreads its calls over all of them. */
export interface UpstreamTarget {
  /** Always `127.0.0.1`: the benchmark never leaves the machine. */
  readonly host: string;
  /** One port per upstream instance. */
  readonly ports: readonly number[];
  /** The path every request asks for. */
  readonly path: string;
}

/** One client under test, created once per child process. */
export interface BenchClient {
  /** Sends one GET, reads and parses the JSON body, and resolves with the parsed value. */
  call(): Promise<unknown>;
  /** Releases connections; called once after the measured phase. */
  close(): Promise<void>;
}

/** What each `src/clients/<id>.ts` module exports as `createClient`. */
export type ClientFactory = (target: UpstreamTarget) => Promise<BenchClient>;

/** The service name clients that discover by name use for the upstream. */
export const SERVICE_NAME = 'bench';

/** The token the service-caller clients and the Python seed send through their `AuthInterceptor`. */
export const BENCH_TOKEN = 'bench-token';

/**
 * The header every hand-written client sends with each request: what the `AuthInterceptor` of
 * clients 2, 3 and 6 adds (`Authorization: Bearer bench-token`), so that every client sends the
 * same request and the floors are compared like with like (the header alone costs raw undici
 * `dispatch` a few per cent).
 */
export const AUTH_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  authorization: `Bearer ${BENCH_TOKEN}`,
});

/** The full URLs of the upstream instances, in port order, for clients that balance by hand. */
export function upstreamUrls(target: UpstreamTarget): string[] {
  return target.ports.map((port) => `http://${target.host}:${port}${target.path}`);
}
