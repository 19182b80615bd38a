/**
 * Micro-benchmark of the built-in load balancers: nanoseconds per `pick` at 3, 100 and 10,000
 * instances, and the cost of the rebuild a new instance list triggers. Prints markdown on stdout
 * (progress goes to stderr); `--quick` shortens the time spent per measurement.
 *
 *   pnpm exec tsx --conditions=source src/balancers.bench.ts [--quick]
 */
import {
  type LoadBalancer,
  pickContext,
  random,
  roundRobin,
  type ServiceInstance,
  weightedRandom,
  weightedRoundRobin,
} from '@service-caller/core';
import { Bench } from 'tinybench';

const quick = process.argv.includes('--quick');
const SIZES = [3, 100, 10_000] as const;
/** Picks per timed sample: one pick is far below the timer's resolution. */
const BATCH = 1_000;

interface Strategy {
  readonly label: string;
  readonly create: () => LoadBalancer;
  /** Weight of instance `i`. */
  readonly weight: (i: number) => number;
}

const mixed = (i: number) => 1 + (i % 5);
const equal = () => 1;
const STRATEGIES: readonly Strategy[] = [
  { label: 'round_robin', create: roundRobin, weight: mixed },
  { label: 'random', create: () => random({ seed: 1 }), weight: mixed },
  { label: 'weight_random', create: () => weightedRandom({ seed: 1 }), weight: mixed },
  { label: 'weight_round_robin (weights 1-5)', create: weightedRoundRobin, weight: mixed },
  { label: 'weight_round_robin (equal weights)', create: weightedRoundRobin, weight: equal },
];

function instances(count: number, weight: (i: number) => number): ServiceInstance[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `10.0.${i >> 8}.${i & 255}:8080`,
    serviceName: 'bench',
    host: `10.0.${i >> 8}.${i & 255}`,
    port: 8080,
    weight: weight(i),
    healthy: true,
    metadata: {},
  }));
}

const context = pickContext('bench');
/** Keeps the picks observable so the JIT cannot drop them. */
let sink = 0;

function nsPerCall(bench: Bench, name: string, callsPerSample: number): number {
  const task = bench.getTask(name);
  const result = task?.result;
  if (result === undefined || !('latency' in result)) {
    throw new Error(`benchmark task '${name}' did not complete: ${result?.state ?? 'missing'}`);
  }
  return (result.latency.mean * 1e6) / callsPerSample;
}

async function main(): Promise<void> {
  const bench = new Bench({ time: quick ? 100 : 500, warmupTime: quick ? 50 : 200, throws: true });
  for (const strategy of STRATEGIES) {
    for (const size of SIZES) {
      const list = instances(size, strategy.weight);
      const balancer = strategy.create();
      bench.add(`${strategy.label}/${size}`, () => {
        for (let k = 0; k < BATCH; k++) sink += balancer.pick(list, context).instance.port;
      });
    }
    // Two arrays with the same contents: every pick sees a new array and rebuilds.
    const lists = [instances(10_000, strategy.weight), instances(10_000, strategy.weight)];
    const balancer = strategy.create();
    let turn = 0;
    bench.add(`${strategy.label}/rebuild`, () => {
      turn ^= 1;
      sink += balancer.pick(lists[turn]!, context).instance.port;
    });
  }
  process.stderr.write(
    `[balancers] running ${bench.tasks.length} measurements${quick ? ' (quick)' : ''} ...\n`,
  );
  await bench.run();

  const lines = [
    '### Load balancers: ns per pick',
    '',
    `| strategy | ${SIZES.map((size) => `${size.toLocaleString('en-US')} instances`).join(' | ')} | rebuild at 10,000 (µs) |`,
    `|---|${SIZES.map(() => '---:').join('|')}|---:|`,
  ];
  for (const strategy of STRATEGIES) {
    const cells = SIZES.map((size) => nsPerCall(bench, `${strategy.label}/${size}`, BATCH).toFixed(1));
    const rebuild = (nsPerCall(bench, `${strategy.label}/rebuild`, 1) / 1000).toFixed(0);
    lines.push(`| ${strategy.label} | ${cells.join(' | ')} | ${rebuild} |`);
  }
  lines.push(
    '',
    `Node ${process.version}, ${BATCH} picks per sample, mean over ${quick ? '~100' : '~500'} ms per cell; ` +
      'instance weights 1-5 unless noted. "rebuild" is one pick on a new 10,000-instance array ' +
      '(filtering, Pick objects, and the alias table or schedule).',
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  process.stderr.write(`[balancers] done (checksum ${sink})\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
