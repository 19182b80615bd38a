import { parseArgs } from 'node:util';
import { ConfigError } from '@service-caller/core';
import { CLIENT_IDS, type ClientId } from './clients/catalog.js';

/** What one `pnpm bench` invocation does, with every default filled in. */
export interface BenchOptions {
  /** `quick`: a smoke run CI uses so the harness cannot rot; `full`: the run whose figures we publish. */
  readonly mode: 'full' | 'quick';
  /** Requests in flight at once, per client. @default 64 */
  readonly concurrency: number;
  /** Requests sent (and discarded) before measuring. @default 2000 full, 300 quick */
  readonly warmup: number;
  /** Requests measured per run. @default 20000 full, 2000 quick */
  readonly requests: number;
  /** Runs per client; each figure is the median over them. @default 5 full, 1 quick */
  readonly runs: number;
  /** Upper bound on each phase (warm-up, measurement) of one run, in seconds. @default 60 full, 10 quick */
  readonly phaseTimeLimitSec: number;
  /** The clients to run, in table order. @default every client */
  readonly clients: readonly ClientId[];
  /** Run the load-balancer micro-benchmark too (`--quick` in quick mode, so CI keeps it working). @default true */
  readonly balancers: boolean;
  /** Calls held in flight by the memory micro-benchmark; 0 skips it. @default 10000 full, 2000 quick */
  readonly memoryCalls: number;
}

const FULL = {
  warmup: 2000,
  requests: 20_000,
  runs: 5,
  phaseTimeLimitSec: 120,
  memoryCalls: 10_000,
} as const;
const QUICK = { warmup: 300, requests: 2000, runs: 1, phaseTimeLimitSec: 10, memoryCalls: 2000 } as const;

/** The text `--help` prints. */
export const USAGE = `Usage: pnpm bench [--quick] [options]

  --quick               smoke run (1 run, few requests); writes results/quick.md and quick.svg
  --concurrency <n>     requests in flight per client (default 64)
  --requests <n>        measured requests per run (default ${FULL.requests}; quick ${QUICK.requests})
  --warmup <n>          warm-up requests per run (default ${FULL.warmup}; quick ${QUICK.warmup})
  --runs <n>            runs per client, figures are medians (default ${FULL.runs}; quick ${QUICK.runs})
  --time-limit <sec>    bound on each warm-up or measured phase (default ${FULL.phaseTimeLimitSec}; quick ${QUICK.phaseTimeLimitSec})
  --clients <a,b,...>   subset of: ${CLIENT_IDS.join(', ')}
  --no-balancers        skip the micro-benchmarks (load balancers, declarative client; run by default, shortened in quick mode)
  --memory-calls <n>    calls in flight for the memory benchmark, 0 skips it (default ${FULL.memoryCalls}; quick ${QUICK.memoryCalls})
  --help                this text
`;

/**
 * Parses the command line into {@link BenchOptions}. Returns `undefined` when `--help` was asked.
 * A bad flag or value throws a `ConfigError` naming the flag, what was expected and what was found.
 */
export function parseBenchOptions(argv: readonly string[]): BenchOptions | undefined {
  // pnpm forwards `pnpm bench -- --quick` with the separator; it carries no meaning here.
  const args = argv.filter((a) => a !== '--');
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        quick: { type: 'boolean' },
        concurrency: { type: 'string' },
        requests: { type: 'string' },
        warmup: { type: 'string' },
        runs: { type: 'string' },
        'time-limit': { type: 'string' },
        clients: { type: 'string' },
        'no-balancers': { type: 'boolean' },
        'memory-calls': { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new ConfigError(
      {
        file: '<command line>',
        keyPath: '',
        expected: 'the flags listed by --help',
        found: args.join(' ') || '(nothing)',
        hint: (error as Error).message,
      },
      { cause: error },
    );
  }
  if (values.help) return undefined;

  const mode = values.quick ? 'quick' : 'full';
  const base = mode === 'quick' ? QUICK : FULL;
  return {
    mode,
    concurrency: positiveInt('--concurrency', values.concurrency, 64, 10_000),
    warmup: positiveInt('--warmup', values.warmup, base.warmup, 10_000_000, 0),
    requests: positiveInt('--requests', values.requests, base.requests, 10_000_000),
    runs: positiveInt('--runs', values.runs, base.runs, 100),
    phaseTimeLimitSec: positiveInt('--time-limit', values['time-limit'], base.phaseTimeLimitSec, 3600),
    clients: parseClients(values.clients),
    balancers: !values['no-balancers'],
    memoryCalls: positiveInt('--memory-calls', values['memory-calls'], base.memoryCalls, 100_000, 0),
  };
}

function positiveInt(
  flag: string,
  raw: string | boolean | undefined,
  fallback: number,
  max: number,
  min = 1,
): number {
  if (raw === undefined) return fallback;
  const text = String(raw);
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw cliError(flag, `an integer from ${min} to ${max}`, JSON.stringify(text));
  }
  return n;
}

function parseClients(raw: string | boolean | undefined): readonly ClientId[] {
  if (raw === undefined) return CLIENT_IDS;
  const wanted = String(raw)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const known = new Set<string>(CLIENT_IDS);
  const unknown = wanted.filter((id) => !known.has(id));
  if (wanted.length === 0 || unknown.length > 0) {
    throw cliError(
      '--clients',
      `a comma-separated subset of ${CLIENT_IDS.join(', ')}`,
      JSON.stringify(unknown.join(',') || String(raw)),
    );
  }
  // Table order stays the catalog's order whatever order the flag lists.
  return CLIENT_IDS.filter((id) => wanted.includes(id));
}

function cliError(flag: string, expected: string, found: string): ConfigError {
  return new ConfigError({ file: '<command line>', keyPath: flag, expected, found });
}
