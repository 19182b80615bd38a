import { existsSync } from 'node:fs';
import type { NodeCommand } from './client-runs.js';
import { runChild } from './processes.js';

const SCRIPT = new URL('./balancers.bench.ts', import.meta.url).pathname;

/** The micro-benchmark's markdown, or why there is none (`failed` makes the harness exit non-zero). */
export type BalancersOutcome =
  | { readonly markdown: string }
  | { readonly reason: string; readonly failed: boolean };

/**
 * Runs the load-balancer micro-benchmark (`src/balancers.bench.ts`) in its own process, `--quick`
 * in quick mode, and returns the markdown it prints on stdout.
 */
export async function runBalancers(
  node: NodeCommand,
  mode: 'full' | 'quick',
  log: (line: string) => void,
): Promise<BalancersOutcome> {
  if (!existsSync(SCRIPT)) return { reason: 'src/balancers.bench.ts does not exist yet', failed: false };
  log('[bench] load-balancer micro-benchmark ...');
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
