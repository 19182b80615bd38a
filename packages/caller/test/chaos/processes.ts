import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

/** An upstream behaviour (see upstream-process.mjs). */
export interface UpstreamSpec {
  readonly behaviour: 'ok' | 'half-503' | 'stall' | `slow:${number}` | `stall-some:${number}:${number}`;
  /** Echoed in the body, for the zone tests. */
  readonly zone?: string;
}

/** What one upstream server counted. */
export interface ServerCounts {
  readonly requests: number;
  readonly byMethod: Record<string, number>;
  readonly aborted: number;
}

/** One upstream process the test started, with its servers' ports. */
export interface UpstreamProcess {
  readonly pid: number;
  readonly ports: readonly number[];
  /** Kills this process (and only it) with SIGKILL, and resolves when it is gone. */
  kill(): Promise<void>;
  /** The counts of its servers, asked over HTTP. */
  stats(): Promise<ServerCounts[]>;
}

const SCRIPT = fileURLToPath(new URL('./upstream-process.mjs', import.meta.url));
const started: ChildProcess[] = [];

afterAll(() => {
  // Processes this file started and that are still running: killed by their own pid.
  for (const child of started)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** Starts an upstream process with one server per spec; resolves when they listen (bounded: 20 s). */
export function startUpstream(specs: readonly UpstreamSpec[]): Promise<UpstreamProcess> {
  const child = spawn(process.execPath, [SCRIPT, JSON.stringify(specs)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  started.push(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the upstream process did not start listening within 20 s'));
    }, 20_000);
    let output = '';
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the upstream process exited before it listened (${code ?? signal})`));
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const line = output.split('\n')[0];
      if (!output.includes('\n') || line === undefined) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const { ports } = JSON.parse(line) as { ports: number[] };
      resolve({
        pid: child.pid!,
        ports,
        kill: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGKILL');
          }),
        stats: async () => {
          const response = await fetch(`http://127.0.0.1:${ports[0]}/__stats`);
          return (await response.json()) as ServerCounts[];
        },
      });
    });
  });
}

/** What a bounded load run did. */
export interface LoadResult {
  readonly calls: number;
  readonly failed: number;
  readonly errors: readonly unknown[];
}

/**
 * `calls` calls of `call`, `concurrency` at a time, bounded in count and in time (`limitMs`: calls
 * not started by then are not made, and the run reports fewer calls). `onCall(n)` runs before
 * the n-th call starts (0-based), to act a given share of the way in.
 */
export async function runLoad(options: {
  calls: number;
  concurrency: number;
  call: (n: number) => Promise<unknown>;
  onCall?: (n: number) => void | Promise<void>;
  limitMs?: number;
}): Promise<LoadResult> {
  const { calls, concurrency, call, onCall } = options;
  const deadline = performance.now() + (options.limitMs ?? 60_000);
  let next = 0;
  let made = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < calls && performance.now() < deadline) {
      const n = next++;
      await onCall?.(n);
      made++;
      try {
        await call(n);
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { calls: made, failed: errors.length, errors };
}
