import type { NodeCommand } from './client-runs.js';
import { MEMORY_CLIENTS, MEMORY_PREFIX, type MemoryClient, type MemoryConfig } from './memory.bench.js';
import { runChild } from './processes.js';

/** One client's figure from the memory micro-benchmark. */
export interface MemoryResult {
  readonly client: MemoryClient;
  readonly calls: number;
  readonly heapBefore: number;
  readonly heapAfter: number;
  /** Heap retained per call in flight, in bytes. */
  readonly bytesPerCall: number;
}

/** What the report calls each client of the memory table. */
const LABELS: Readonly<Record<MemoryClient, string>> = {
  'raw-undici': 'raw undici `request` (Pool per origin)',
  'raw-dispatch': 'raw undici `dispatch` (Pool per origin)',
  'sc-undici': 'ServiceManager.get, undici transport',
  'sc-fetch': 'ServiceManager.get, fetch transport',
  fetch: 'global `fetch`',
};

/**
 * Runs `memory.bench.ts` once per client, each in its own process (`--expose-gc`), against the
 * running upstream. Returns the figures and the clients that failed, with why.
 */
export async function runMemoryBenchmark(
  node: NodeCommand,
  upstream: { host: string; ports: readonly number[] },
  calls: number,
  log: (line: string) => void,
): Promise<{ results: MemoryResult[]; failures: string[] }> {
  const script = new URL('./memory.bench.ts', import.meta.url).pathname;
  const config: MemoryConfig = { host: upstream.host, ports: upstream.ports, calls, timeLimitMs: 60_000 };
  const results: MemoryResult[] = [];
  const failures: string[] = [];
  for (const client of MEMORY_CLIENTS) {
    log(`[bench] memory: ${calls} calls in flight, ${client} ...`);
    const outcome = await runChild(node.command, [...node.args, '--expose-gc', script, client], {
      env: { ...process.env, BENCH_MEMORY_CONFIG: JSON.stringify(config) },
      timeoutMs: 4 * config.timeLimitMs,
    });
    const line = outcome.stdout.split('\n').find((l) => l.startsWith(MEMORY_PREFIX));
    if (outcome.code === 0 && line !== undefined) {
      results.push(JSON.parse(line.slice(MEMORY_PREFIX.length)) as MemoryResult);
    } else {
      const why = outcome.timedOut ? 'timed out' : `exited with ${outcome.signal ?? `code ${outcome.code}`}`;
      failures.push(`${client}: ${why}; ${outcome.stderr.trim().split('\n').slice(-2).join(' | ')}`);
    }
  }
  return { results, failures };
}

/** The memory table for the report. */
export function renderMemory(results: readonly MemoryResult[]): string {
  const calls = results[0]?.calls ?? 0;
  const rows = results.map(
    (r) =>
      `| ${LABELS[r.client]} | ${Math.round(r.bytesPerCall).toLocaleString('en-US')} | ${(
        (r.heapAfter - r.heapBefore) / 2 ** 20
      ).toFixed(1)} |`,
  );
  return [
    '### Memory: heap retained per call in flight',
    '',
    '| client | bytes per call | heap growth (MiB) |',
    '|---|---:|---:|',
    ...rows,
    '',
    `${calls.toLocaleString('en-US')} GETs in flight at once against an upstream that accepts them and holds them unanswered; 100 connections per origin for every client (the manager's default pool size), so most calls wait in the client's own queue, in flight for the caller all the same. Heap used (\`process.memoryUsage().heapUsed\` after forced garbage collections) with the calls in flight, minus before, divided by the calls. No caller signal; the floors set no timeout, the manager clients keep their default total timeout (30 s), as users get them. Each client in its own process.`,
  ].join('\n');
}
