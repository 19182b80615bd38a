import type { ChildProcess } from 'node:child_process';
import { spawnTracked } from './processes.js';

/** Prefix of the line the upstream process prints once it listens. */
export const UPSTREAM_PREFIX = 'BENCH_UPSTREAM ';

/** Prefix of the line the upstream process answers a `stats` request with. */
export const STATS_PREFIX = 'BENCH_UPSTREAM_STATS ';

/** The upstream process's counters since it started. */
export interface UpstreamStats {
  /** User + system CPU time of the upstream process, in microseconds. */
  readonly cpuUs: number;
  /** Requests answered, over all instances. */
  readonly requests: number;
}

/** The running upstream process. */
export interface Upstream {
  readonly host: string;
  readonly ports: readonly number[];
  /** Size of the JSON body each instance answers with, in bytes. */
  readonly bodyBytes: number;
  /** Asks the process for its counters; rejects after `timeoutMs`. */
  stats(timeoutMs?: number): Promise<UpstreamStats>;
  /** Stops the process and waits (bounded) for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts `count` upstream instances in one separate process (see upstream-server.ts), using
 * the same Node and loader flags as client processes, and waits (bounded) until they listen.
 */
export async function startUpstream(
  node: { command: string; args: readonly string[] },
  count: number,
  timeoutMs = 20_000,
): Promise<Upstream> {
  const script = new URL('./upstream-server.ts', import.meta.url).pathname;
  const child = spawnTracked(node.command, [...node.args, script, String(count)]);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-10_000);
  });
  const info = await new Promise<{ ports: number[]; bodyBytes: number }>((resolve, reject) => {
    let out = '';
    const onExit = (code: number | null, signal: string | null) =>
      fail(`exited early (code ${code}, signal ${signal})`);
    const onData = (chunk: string) => {
      out += chunk;
      const line = out.split('\n').find((l) => l.startsWith(UPSTREAM_PREFIX));
      if (line === undefined) return;
      done();
      resolve(JSON.parse(line.slice(UPSTREAM_PREFIX.length)));
    };
    const done = () => {
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout?.off('data', onData);
    };
    const fail = (why: string) => {
      done();
      child.kill('SIGKILL');
      reject(new Error(`upstream process ${why}${stderr ? `; stderr: ${stderr.trim()}` : ''}`));
    };
    const timer = setTimeout(() => fail(`did not listen within ${timeoutMs} ms`), timeoutMs);
    child.once('exit', onExit);
    child.stdout?.setEncoding('utf8').on('data', onData);
  });
  // After start-up, stdout carries only answers to `stats`, in order.
  const waiting: Array<(stats: UpstreamStats) => void> = [];
  let pending = '';
  child.stdout?.on('data', (chunk: string) => {
    pending += chunk;
    let nl = pending.indexOf('\n');
    while (nl !== -1) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (line.startsWith(STATS_PREFIX)) waiting.shift()?.(JSON.parse(line.slice(STATS_PREFIX.length)));
      nl = pending.indexOf('\n');
    }
  });
  return {
    host: '127.0.0.1',
    ports: info.ports,
    bodyBytes: info.bodyBytes,
    stats: (statsTimeoutMs = 5000) =>
      new Promise<UpstreamStats>((resolve, reject) => {
        const timer = setTimeout(() => {
          const i = waiting.indexOf(answer);
          if (i !== -1) waiting.splice(i, 1);
          reject(new Error(`upstream process did not answer 'stats' within ${statsTimeoutMs} ms`));
        }, statsTimeoutMs);
        const answer = (stats: UpstreamStats) => {
          clearTimeout(timer);
          resolve(stats);
        };
        waiting.push(answer);
        child.stdin?.write('stats\n');
      }),
    stop: () => stopChild(child),
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
