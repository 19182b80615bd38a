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
export async function startUpstream(specs: readonly UpstreamSpec[]): Promise<UpstreamProcess> {
  const child = spawn(process.execPath, [SCRIPT, JSON.stringify(specs)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  started.push(child);
  const { ports } = JSON.parse(await firstLine(child, 20_000)) as { ports: number[] };
  return {
    pid: child.pid!,
    ports,
    kill: () => killed(child),
    stats: async () => {
      const response = await fetch(`http://127.0.0.1:${ports[0]}/__stats`);
      return (await response.json()) as ServerCounts[];
    },
  };
}

/** A greeter process registered in Nacos through ServiceManager (greeter-process.ts). */
export interface GreeterProcess {
  readonly pid: number;
  readonly port: number;
  kill(): Promise<void>;
}

const GREETER = fileURLToPath(new URL('./greeter-process.ts', import.meta.url));

/** Starts a greeter of `service` registered in the Nacos at `nacosAddr`; resolves once registered (bounded: 60 s). */
export function startGreeter(service: string, nacosAddr: string): Promise<GreeterProcess> {
  const child = spawn(
    process.execPath,
    // tsx (the workspace's) runs the TypeScript sources, through their `source` export condition.
    ['--conditions=source', '--import', 'tsx', GREETER],
    {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, NACOS_ADDR: nacosAddr, GREETER_SERVICE: service },
    },
  );
  started.push(child);
  return firstLine(child, 60_000).then((line) => {
    const { port } = JSON.parse(line) as { port: number };
    return { pid: child.pid!, port, kill: () => killed(child) };
  });
}

/** SIGKILL to `child` alone; resolves when it has exited. */
function killed(child: ChildProcess): Promise<void> {
  return new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGKILL');
  });
}

/** The first line `child` prints on stdout, within `limitMs`; rejects if it exits first. */
function firstLine(child: ChildProcess, limitMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the child process printed nothing within ${limitMs} ms`));
    }, limitMs);
    let output = '';
    const onExit = (code: number | null, signal: string | null) => {
      clearTimeout(timer);
      reject(new Error(`the child process exited before it was ready (${code ?? signal})`));
    };
    child.once('exit', onExit);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const end = output.indexOf('\n');
      if (end < 0) return;
      clearTimeout(timer);
      child.removeListener('exit', onExit);
      resolve(output.slice(0, end));
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
