import { existsSync } from 'node:fs';
import type { NodeCommand } from './client-runs.js';
import { runChild } from './processes.js';

/** The in-process micro-benchmarks the harness runs after the clients, each printing markdown. */
export const MICRO_BENCHMARKS = [
  { title: 'Load-balancer micro-benchmark', file: 'balancers.bench.ts' },
  { title: 'Declarative-client overhead', file: 'declarative.bench.ts' },
  { title: 'Interceptor overhead', file: 'interceptors.bench.ts' },
] as const;

export type MicroBenchmark = (typeof MICRO_BENCHMARKS)[number];

/** The micro-benchmark's markdown, or why there is none (`failed` makes the harness exit non-zero). */
export type BalancersOutcome =
  | { readonly markdown: string }
  | { readonly reason: string; readonly failed: boolean };

/**
 * Runs one micro-benchmark (`src/<file>`) in its own process, `--quick` in quick mode, and
 * returns the markdown it prints on stdout.
 */
export async function runMicroBenchmark(
  bench: MicroBenchmark,
  node: NodeCommand,
  mode: 'full' | 'quick',
  log: (line: string) => void,
): Promise<BalancersOutcome> {
  const SCRIPT = new URL(`./${bench.file}`, import.meta.url).pathname;
  if (!existsSync(SCRIPT)) return { reason: `src/${bench.file} does not exist`, failed: true };
  log(`[bench] ${bench.title.toLowerCase()} ...`);
  const outcome = await runChild(
    node.command,
    [...node.args, SCRIPT, ...(mode === 'quick' ? ['--quick'] : [])],
    {
      timeoutMs: mode === 'quick' ? 120_000 : 900_000,
    },
  );
  if (outcome.code !== 0 || outcome.stdout.trim() === '') {
    const why = outcome.timedOut ? 'timed out' : `exited with ${outcome.signal ?? `code ${outcome.code}`}`;
    const stderr = outcome.stderr.trim().split('\n').slice(-3).join(' | ');
    return { reason: `${why}${stderr ? `; stderr: ${stderr}` : ''}`, failed: true };
  }
  return { markdown: outcome.stdout.trim() };
}
