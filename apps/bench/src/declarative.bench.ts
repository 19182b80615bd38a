/**
 * Client CPU of a declarative call (`createClient(...).getUser({ path: { id: 7 } })`) against the
 * same call made with `engine.request('GET', 'bench', '/users/7')`: same engine, undici transport,
 * static registry and round robin, in this process, against one upstream instance in its own
 * process (so the server's CPU is not counted). Prints markdown on stdout, progress on stderr.
 *
 *   pnpm exec tsx --conditions=source src/declarative.bench.ts [--quick]
 *
 * Many short rounds alternate the variants (rotating which goes first) so drift of a shared
 * machine hits them alike; each figure is the median over the rounds, and each ratio is the
 * median of the per-round ratios (a variant against `engine.request` measured right next to it).
 * The target: a declarative call without schemas costs at most 5% more client CPU than
 * `engine.request`. The row with a response schema is for information: its extra cost is the
 * schema's own work.
 *
 * A second table isolates the client's own per-call work (build the path and the options, no
 * I/O) with a target whose `request` returns an already-resolved promise: nanoseconds added per
 * call, which the first table's noise can hide.
 */
import {
  createCallEngine,
  createClient,
  endpoint,
  roundRobin,
  type StandardSchemaV1,
  silentLogger,
  staticRegistry,
} from '@service-caller/core';
import { undiciTransport } from '@service-caller/transport-undici';
import { nodeCommand } from './client-runs.js';
import { describeError, type PhaseSpec, runPhase } from './load-loop.js';
import { installChildCleanup } from './processes.js';
import { spread } from './stats.js';
import { startUpstream } from './upstream.js';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 5 : 41;
const WARMUP: PhaseSpec = {
  requests: quick ? 2_000 : 5_000,
  concurrency: 16,
  timeLimitMs: 60_000,
  maxErrors: 100,
};
const ROUND: PhaseSpec = {
  requests: quick ? 1_000 : 3_000,
  concurrency: 16,
  timeLimitMs: 60_000,
  maxErrors: 100,
};
const TARGET_RATIO = 1.05;
const MICRO_CALLS = quick ? 100_000 : 500_000;
const MICRO_REPEATS = quick ? 3 : 7;

/** A minimal hand-written Standard Schema for the upstream's body: `{ ok: true, ... }`. */
const upstreamBody: StandardSchemaV1<unknown, { ok: true; instance: number }> = {
  '~standard': {
    version: 1,
    vendor: 'bench',
    validate: (value) =>
      typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === true
        ? { value: value as { ok: true; instance: number } }
        : { issues: [{ message: 'expected the upstream body' }] },
  },
};

interface Variant {
  readonly label: string;
  readonly call: () => Promise<unknown>;
  readonly cpuUsPerCall: number[];
  readonly wallUsPerCall: number[];
  /** Per round: this variant's CPU per call over `engine.request`'s in the same round. */
  readonly ratios: number[];
}

function log(message: string): void {
  process.stderr.write(`[declarative] ${message}\n`);
}

/** ns per call of `call`, median over repeats; the promises are dropped (the target resolves at once). */
function nsPerCall(call: () => Promise<unknown>): number {
  const samples: number[] = [];
  let sink: Promise<unknown> | undefined;
  for (let repeat = 0; repeat < MICRO_REPEATS; repeat++) {
    const start = performance.now();
    for (let i = 0; i < MICRO_CALLS; i++) sink = call();
    samples.push(((performance.now() - start) * 1e6) / MICRO_CALLS);
  }
  if (sink === undefined) throw new Error('no call was made');
  return spread(samples).median;
}

/** The client's own work per call, without I/O: the `request` below does nothing. */
function clientWork(): string[] {
  const done = Promise.resolve({ ok: true });
  const target = { request: (_m: string, _s: string, _p: string, _o?: unknown) => done };
  const client = createClient(target, 'bench', {
    getUser: endpoint.get('/users/{id}'),
    getUserWithParams: endpoint.get('/users/{userId}/posts/{postId}'),
  });
  const options = {};
  const rows: Array<[string, () => Promise<unknown>]> = [
    [
      "target.request('GET', 'bench', '/users/7', {})",
      () => target.request('GET', 'bench', '/users/7', options),
    ],
    ['client.getUser({ path: { id: 7 } })', () => client.getUser({ path: { id: 7 } })],
    [
      "client.getUserWithParams({ path: { userId: 'ann', postId: 7 } })",
      () => client.getUserWithParams({ path: { userId: 'ann', postId: 7 } }),
    ],
  ];
  // Warm-up: let the JIT settle on every row before timing any.
  for (const [, call] of rows) for (let i = 0; i < MICRO_CALLS; i++) call();
  const lines = [
    `Client-side work per call, no I/O (${MICRO_REPEATS} x ${MICRO_CALLS} calls, median)`,
    '',
    '| call | ns/call |',
    '| --- | --- |',
  ];
  for (const [label, call] of rows) lines.push(`| \`${label}\` | ${nsPerCall(call).toFixed(0)} |`);
  return lines;
}

async function main(): Promise<number> {
  installChildCleanup();
  const upstream = await startUpstream(nodeCommand(), 1);
  const engine = createCallEngine({
    discovery: staticRegistry({
      services: { bench: [{ host: upstream.host, port: upstream.ports[0]! }] },
      logger: silentLogger,
    }),
    transport: undiciTransport(),
    loadBalancer: roundRobin(),
    logger: silentLogger,
  });
  const client = createClient(engine, 'bench', {
    getUser: endpoint.get('/users/{id}'),
    getUserChecked: endpoint.get('/users/{id}', { response: upstreamBody }),
  });
  const variants: Variant[] = [
    {
      label: "engine.request('GET', 'bench', '/users/7')",
      call: () => engine.request('GET', 'bench', '/users/7'),
      cpuUsPerCall: [],
      wallUsPerCall: [],
      ratios: [],
    },
    {
      label: 'client.getUser({ path: { id: 7 } })',
      call: () => client.getUser({ path: { id: 7 } }),
      cpuUsPerCall: [],
      wallUsPerCall: [],
      ratios: [],
    },
    {
      label: 'client.getUserChecked(...) (response schema)',
      call: () => client.getUserChecked({ path: { id: 7 } }),
      cpuUsPerCall: [],
      wallUsPerCall: [],
      ratios: [],
    },
  ];
  let failed = false;
  try {
    for (const variant of variants) {
      const warm = await runPhase(variant.call, WARMUP);
      if (warm.errors > 0) throw new Error(`${variant.label} failed in warm-up: ${warm.firstError}`);
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < variants.length; k++) {
        const variant = variants[(round + k) % variants.length]!;
        const result = await runPhase(variant.call, ROUND);
        if (result.errors > 0 || result.timedOut) {
          throw new Error(
            `${variant.label} failed in round ${round + 1}: ${result.firstError ?? 'time limit hit'}`,
          );
        }
        variant.cpuUsPerCall.push(result.cpuUs / result.completed);
        variant.wallUsPerCall.push((result.wallMs * 1000) / result.completed);
      }
      const base = variants[0]!.cpuUsPerCall[round]!;
      for (const variant of variants) variant.ratios.push(variant.cpuUsPerCall[round]! / base);
      if ((round + 1) % 5 === 0 || round + 1 === ROUNDS) log(`round ${round + 1}/${ROUNDS} done`);
    }
    const lines = [
      `Declarative client overhead (${ROUNDS} rounds x ${ROUND.requests} calls, concurrency ${ROUND.concurrency}, medians)`,
      '',
      '| call | client CPU µs/call (min-max) | wall µs/call | CPU vs engine.request (median of per-round ratios) |',
      '| --- | --- | --- | --- |',
    ];
    for (const variant of variants) {
      const cpu = spread(variant.cpuUsPerCall);
      const wall = spread(variant.wallUsPerCall);
      const ratio = spread(variant.ratios).median;
      lines.push(
        `| \`${variant.label}\` | ${cpu.median.toFixed(2)} (${cpu.min.toFixed(2)}-${cpu.max.toFixed(2)}) | ${wall.median.toFixed(2)} | ${ratio.toFixed(3)} (${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)}%) |`,
      );
    }
    const declarative = spread(variants[1]!.ratios).median;
    lines.push(
      '',
      `Target: a declarative call without schemas <= ${TARGET_RATIO.toFixed(2)}x engine.request: ${
        declarative <= TARGET_RATIO ? 'met' : 'NOT met'
      } (${declarative.toFixed(3)}x).`,
    );
    lines.push('', ...clientWork());
    process.stdout.write(`${lines.join('\n')}\n`);
  } catch (error) {
    failed = true;
    log(describeError(error));
  } finally {
    await engine.close();
    await upstream.stop();
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(describeError(error));
    process.exit(1);
  },
);
