/**
 * The contract between the harness and a client process (Node or Python): the harness passes a
 * {@link ChildConfig} as JSON in the `BENCH_CHILD_CONFIG` environment variable and keeps the
 * child's stdin open as a lifeline (a child exits when stdin closes, so it never outlives the
 * harness); the child prints one `BENCH_RESULT <json>` line with a {@link RunResult}, or one
 * `BENCH_ERROR <message>` line. After a result it stays, idle, until the harness closes its stdin
 * (at most {@link RESULT_LINGER_MS}): the harness reads the kernel's count of the process's CPU
 * time meanwhile, to check the process's own count against it.
 */
export interface ChildConfig {
  readonly host: string;
  readonly ports: readonly number[];
  readonly path: string;
  /** The service name clients that discover by name use. */
  readonly serviceName: string;
  readonly concurrency: number;
  readonly warmup: number;
  readonly requests: number;
  /** Bound on each phase in milliseconds. */
  readonly timeLimitMs: number;
  /** A phase stops after this many failed calls. */
  readonly maxErrors: number;
}

/** The environment variable that carries the {@link ChildConfig}. */
export const CONFIG_ENV = 'BENCH_CHILD_CONFIG';
/** Prefix of the line that carries the {@link RunResult}. */
export const RESULT_PREFIX = 'BENCH_RESULT ';
/** Prefix of the line that carries a failure message. */
export const ERROR_PREFIX = 'BENCH_ERROR ';
/** How long a child waits, after its result, for the harness to close its stdin before it exits anyway. */
export const RESULT_LINGER_MS = 30_000;

/** What one run of one client measured (the measured phase only; warm-up is not in it). */
export interface RunResult {
  readonly completed: number;
  readonly errors: number;
  readonly firstError?: string | undefined;
  readonly timedOut: boolean;
  readonly wallMs: number;
  /** User + system CPU of the client process during the measured phase, in microseconds. */
  readonly cpuUs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Library version, when the child knows it better than the harness (the Python seed). */
  readonly version?: string;
  /** Python version, for the seed. */
  readonly runtimeVersion?: string;
  /**
   * The process's whole CPU time (user + system, every thread, since it started) when it printed
   * the result, by its own count (`process.cpuUsage()`, `getrusage`), in microseconds.
   */
  readonly processCpuUs?: number;
}

/** Parses a child's stdout into its result or failure; `undefined` when it printed neither. */
export function parseChildOutput(stdout: string): { result: RunResult } | { error: string } | undefined {
  for (const line of stdout.split('\n').reverse()) {
    if (line.startsWith(RESULT_PREFIX)) return { result: JSON.parse(line.slice(RESULT_PREFIX.length)) };
    if (line.startsWith(ERROR_PREFIX)) return { error: line.slice(ERROR_PREFIX.length) };
  }
  return undefined;
}
