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

/** The full URLs of the upstream instances, in port order, for clients that balance by hand. */
export function upstreamUrls(target: UpstreamTarget): string[] {
  return target.ports.map((port) => `http://${target.host}:${port}${target.path}`);
}
