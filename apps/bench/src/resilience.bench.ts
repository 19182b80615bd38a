/**
 * The bench lines of #11 (resilience), each against upstream instances in a separate process on
 * 127.0.0.1 (`resilience-upstream.ts`), the client in this process:
 *
 * 1. Load-aware balancers: with one of three instances ten times slower (20 ms against 2 ms),
 *    the share of calls it receives under round_robin, least_request and peak_ewma
 *    (target: < 15% for the load-aware ones; round robin gives it a third).
 * 2. Hedging: with one of three instances holding 10% of its calls for 300 ms, the p50 / p99 of
 *    calls without hedging and with `hedge-delay` (target: the hedged p99 under 2 x hedge-delay
 *    plus the normal latency, the unhedged p50).
 * 3. Overhead: `ServiceManager.get` on undici (Logging + Auth, as the main bench's client 2) with
 *    retries, the retry budget, outlier ejection and the filter stage enabled but unused (a zone
 *    filter that keeps every instance) against the same call with all of them off; interleaved
 *    rounds, the median of the per-round CPU ratios (target: <= 1.03).
 * 4. The engine alone, no I/O: ns per call of `engine.request` with Logging + Auth through a
 *    transport whose `sendBuffered` answers at once, the same two variants (the figure part 1 of
 *    the engine track reported for its hot path), and with a 30 s total timeout through a
 *    transport without and with `usesAbortHook`.
 *
 *   pnpm exec tsx --conditions=source src/resilience.bench.ts [--quick]
 *
 * Prints markdown on stdout, progress on stderr.
 */
import {
  AuthInterceptor,
  type CallEngineOptions,
  createCallEngine,
  LoggingInterceptor,
  roundRobin,
  type ServiceCallerConfigInput,
  ServiceManager,
  silentLogger,
  staticRegistry,
  type Transport,
  type TransportRequest,
  zoneAffinity,
} from '@service-caller/caller';
import { BufferedResponseBase } from '@service-caller/core/adapter';
import { nodeCommand } from './client-runs.js';
import { describeError, type PhaseSpec, runPhase } from './load-loop.js';
import { installChildCleanup, spawnTracked } from './processes.js';
import { percentilesInPlace, spread } from './stats.js';

const quick = process.argv.includes('--quick');
const PREFIX = 'RESILIENCE_UPSTREAM ';
const SERVICE = 'bench';

function log(message: string): void {
  process.stderr.write(`[resilience] ${message}\n`);
}

function phase(requests: number, concurrency: number): PhaseSpec {
  return { requests, concurrency, timeLimitMs: 120_000, maxErrors: 100 };
}

/** Starts one upstream process with one instance per behaviour; resolves with their ports. */
async function upstream(behaviours: readonly string[]): Promise<{ ports: number[]; stop(): void }> {
  const node = nodeCommand();
  const script = new URL('./resilience-upstream.ts', import.meta.url).pathname;
  const child = spawnTracked(node.command, [...node.args, script, ...behaviours]);
  const ports = await new Promise<number[]>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('the upstream did not listen within 20 s')), 20_000);
    child.once('exit', (code) => reject(new Error(`the upstream exited early (${code})`)));
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const line = out.split('\n').find((l) => l.startsWith(PREFIX));
      if (line === undefined) return;
      clearTimeout(timer);
      resolve((JSON.parse(line.slice(PREFIX.length)) as { ports: number[] }).ports);
    });
  });
  return { ports, stop: () => child.kill('SIGTERM') };
}

type Settings = NonNullable<ServiceCallerConfigInput['serviceCaller']>;

function manager(ports: readonly number[], settings: Settings, zone?: string): Promise<ServiceManager> {
  return ServiceManager.create({
    config: {
      serviceCaller: settings,
      appRegistry: {
        static: {
          services: {
            [SERVICE]: ports.map((port) => ({
              host: '127.0.0.1',
              port,
              ...(zone === undefined ? {} : { metadata: { zone } }),
            })),
          },
        },
      },
    },
    interceptors: [
      new LoggingInterceptor({ logRequest: false, logResponse: false }),
      new AuthInterceptor({ token: 'bench-token' }),
    ],
    logger: silentLogger,
  });
}

/** 1. The slow instance's share under each balancer. */
async function balancerShares(): Promise<string[]> {
  const up = await upstream(['slow:2', 'slow:2', 'slow:20']);
  const calls = quick ? 600 : 3_000;
  const lines = [
    `### Load-aware balancers: one instance of three 10x slower (20 ms against 2 ms)`,
    '',
    `${calls} GETs per balancer, 32 in flight, after 300 of warm-up.`,
    '',
    '| lb-type | calls to the slow instance | share | target |',
    '| --- | ---: | ---: | --- |',
  ];
  try {
    for (const lbType of ['round_robin', 'least_request', 'peak_ewma'] as const) {
      const m = await manager(up.ports, { lbType });
      const counts = [0, 0, 0];
      const call = async () => {
        const body = (await m.get(SERVICE, '/x')) as { ok: true; instance: number };
        counts[body.instance]!++;
        return body;
      };
      await runPhase(call, phase(300, 32));
      counts.fill(0);
      const result = await runPhase(call, phase(calls, 32));
      await m.close();
      if (result.errors > 0) throw new Error(`${lbType}: ${result.firstError}`);
      const share = counts[2]! / result.completed;
      const target =
        lbType === 'round_robin' ? '(a third)' : share < 0.15 ? '< 15%: **met**' : '< 15%: **not met**';
      lines.push(`| ${lbType} | ${counts[2]} | ${(share * 100).toFixed(1)}% | ${target} |`);
      log(`${lbType}: slow share ${(share * 100).toFixed(1)}%`);
    }
  } finally {
    up.stop();
  }
  return lines;
}

/** 2. Latency with and without hedging, one instance holding 10% of its calls for 300 ms. */
async function hedging(): Promise<string[]> {
  const up = await upstream(['stall-some:300:10', 'ok', 'ok']);
  const calls = quick ? 600 : 3_000;
  const delayS = 0.025;
  const rows: Array<{ label: string; p: number[] }> = [];
  try {
    for (const [label, settings] of [
      ['no hedging', {}],
      [`hedge-delay ${delayS * 1000} ms`, { hedgeDelay: delayS }],
    ] as const) {
      const m = await manager(up.ports, settings);
      await runPhase(() => m.get(SERVICE, '/x'), phase(300, 16));
      const result = await runPhase(() => m.get(SERVICE, '/x'), phase(calls, 16));
      await m.close();
      if (result.errors > 0) throw new Error(`${label}: ${result.firstError}`);
      rows.push({ label, p: percentilesInPlace(Float64Array.from(result.latenciesMs), [50, 99, 100]) });
      log(`${label}: p99 ${rows.at(-1)!.p[1]!.toFixed(1)} ms`);
    }
  } finally {
    up.stop();
  }
  const normal = rows[0]!.p[0]!;
  const bound = 2 * delayS * 1000 + normal;
  const hedgedP99 = rows[1]!.p[1]!;
  return [
    '### Hedging: one instance of three holds 10% of its calls for 300 ms',
    '',
    `${calls} GETs each, 16 in flight, round robin, after 300 of warm-up.`,
    '',
    '| calls | p50 ms | p99 ms | max ms |',
    '| --- | ---: | ---: | ---: |',
    ...rows.map(
      (r) => `| ${r.label} | ${r.p[0]!.toFixed(2)} | ${r.p[1]!.toFixed(2)} | ${r.p[2]!.toFixed(1)} |`,
    ),
    '',
    `Target: hedged p99 under 2 x hedge-delay + the normal latency (the unhedged p50) = ${bound.toFixed(1)} ms: ${
      hedgedP99 < bound ? '**met**' : '**not met**'
    } (${hedgedP99.toFixed(2)} ms).`,
  ];
}

/** The resilience settings of the "off" variant: everything the engine would do on a failure, off. */
const OFF: Settings = {
  retry: { attempts: 1 },
  retryBudget: { enabled: false },
  outlierEjection: { enabled: false },
};

/** 3. ServiceManager.get with everything enabled but unused, against everything off. */
async function overhead(): Promise<string[]> {
  const up = await upstream(['ok', 'ok', 'ok']);
  const rounds = quick ? 5 : 31;
  const per = quick ? 1_000 : 3_000;
  // On: the defaults (3 attempts, the budget, ejection) and a zone filter that keeps everyone.
  const on = await manager(up.ports, { zoneAffinity: { zone: 'a' } }, 'a');
  const off = await manager(up.ports, OFF);
  const variants = [
    { label: 'resilience off (attempts 1, no budget, no ejection, no filter)', m: off, cpu: [] as number[] },
    { label: 'retries + budget + ejection + zone filter, enabled but unused', m: on, cpu: [] as number[] },
  ];
  const ratios: number[] = [];
  try {
    for (const v of variants) await runPhase(() => v.m.get(SERVICE, '/x'), phase(quick ? 1_000 : 5_000, 32));
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < variants.length; k++) {
        const v = variants[(round + k) % variants.length]!;
        const result = await runPhase(() => v.m.get(SERVICE, '/x'), phase(per, 32));
        if (result.errors > 0 || result.timedOut)
          throw new Error(`${v.label}: ${result.firstError ?? 'timed out'}`);
        v.cpu.push(result.cpuUs / result.completed);
      }
      ratios.push(variants[1]!.cpu[round]! / variants[0]!.cpu[round]!);
      if ((round + 1) % 10 === 0) log(`overhead: round ${round + 1}/${rounds}`);
    }
  } finally {
    await on.close();
    await off.close();
    up.stop();
  }
  const ratio = spread(ratios);
  return [
    '### Overhead of the resilience machinery when nothing fails',
    '',
    `ServiceManager.get on undici, LoggingInterceptor (off) + AuthInterceptor, 3 instances; ${rounds} interleaved rounds of ${per} calls, 32 in flight; client CPU of this process.`,
    '',
    '| variant | client CPU µs/call (median, min-max) |',
    '| --- | --- |',
    ...variants.map((v) => {
      const s = spread(v.cpu);
      return `| ${v.label} | ${s.median.toFixed(2)} (${s.min.toFixed(2)}-${s.max.toFixed(2)}) |`;
    }),
    '',
    `Target: enabled-but-unused <= 1.03x off (median of per-round ratios): ${
      ratio.median <= 1.03 ? '**met**' : '**not met**'
    } (${ratio.median.toFixed(3)}x; per-round ratios ${ratio.min.toFixed(3)}-${ratio.max.toFixed(3)}).`,
  ];
}

/** A response read whole, answered at once: the engine's work alone. */
class ReadyResponse extends BufferedResponseBase {
  readonly status = 200;
  readonly statusText = 'OK';
  readonly headers = { 'content-type': 'application/json' };
  readonly bodyBytes = new TextEncoder().encode('{"ok":true,"instance":0}');
  constructor(request: TransportRequest) {
    super('ready', request);
  }
  override header(name: string): string | undefined {
    return name === 'content-type' ? 'application/json' : undefined;
  }
}

/** 4. ns per engine.request with no I/O: the transport answers at once. */
async function engineAlone(): Promise<string[]> {
  const calls = quick ? 50_000 : 200_000;
  const repeats = quick ? 3 : 9;
  const batch = 64;
  // `hook`: the transport says usesAbortHook, as both built-in ones do (no signal made per call).
  const make = (extra: Partial<CallEngineOptions>, hook = false) => {
    const transport: Transport = {
      name: 'ready',
      usesAbortHook: hook,
      send: () => Promise.reject(new Error('not used')),
      sendBuffered: (request) => Promise.resolve(new ReadyResponse(request)),
      close: async () => {},
    };
    return createCallEngine({
      discovery: staticRegistry({
        services: {
          [SERVICE]: [1, 2, 3].map((i) => ({ host: '127.0.0.1', port: 10_000 + i, metadata: { zone: 'a' } })),
        },
        logger: silentLogger,
      }),
      transport,
      loadBalancer: roundRobin(),
      logger: silentLogger,
      interceptors: [
        new LoggingInterceptor({ logRequest: false, logResponse: false }),
        new AuthInterceptor({ token: 'bench-token' }),
      ],
      ...extra,
    });
  };
  const variants = [
    {
      label: 'resilience off',
      engine: make({ retry: false, retryBudget: false, outlierEjection: false }),
      ns: [] as number[],
    },
    {
      label: 'enabled but unused (+ zone filter)',
      engine: make({ filters: [zoneAffinity({ zone: 'a' })] }),
      ns: [] as number[],
    },
    {
      // What every ServiceManager call has since service-caller.timeout defaults to 30 s.
      label: 'enabled but unused (+ zone filter) + a 30 s total timeout',
      engine: make({ filters: [zoneAffinity({ zone: 'a' })], timeout: 30_000 }),
      ns: [] as number[],
    },
    {
      label: 'the same, the transport taking the abort hook (usesAbortHook)',
      engine: make({ filters: [zoneAffinity({ zone: 'a' })], timeout: 30_000 }, true),
      ns: [] as number[],
    },
  ];
  const run = async (engine: (typeof variants)[number]['engine']) => {
    // CPU time, not wall time: the turns other processes take on a shared machine do not count.
    const cpu = process.cpuUsage();
    for (let done = 0; done < calls; done += batch) {
      const pending: Promise<unknown>[] = [];
      for (let i = 0; i < batch; i++) pending.push(engine.request('GET', SERVICE, '/x'));
      await Promise.all(pending);
    }
    const used = process.cpuUsage(cpu);
    return ((used.user + used.system) * 1e3) / calls;
  };
  for (const v of variants) await run(v.engine);
  for (let r = 0; r < repeats; r++) {
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(r + k) % variants.length]!;
      v.ns.push(await run(v.engine));
    }
  }
  for (const v of variants) await v.engine.close();
  return [
    '### The engine alone, no I/O',
    '',
    `engine.request('GET', 'bench', '/x') with Logging (off) + Auth, a transport whose sendBuffered answers at once; ${repeats} interleaved repeats of ${calls} calls in batches of ${batch}; median CPU ns per call (min-max).`,
    '',
    '| variant | ns/call |',
    '| --- | --- |',
    ...variants.map((v) => {
      const s = spread(v.ns);
      return `| ${v.label} | ${s.median.toFixed(0)} (${s.min.toFixed(0)}-${s.max.toFixed(0)}) |`;
    }),
  ];
}

async function main(): Promise<number> {
  installChildCleanup();
  const only = process.argv
    .find((a) => a.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',');
  const sections: Array<[string, () => Promise<string[]>]> = [
    ['balancers', balancerShares],
    ['hedging', hedging],
    ['overhead', overhead],
    ['engine', engineAlone],
  ];
  const out: string[] = [];
  try {
    for (const [name, section] of sections) {
      if (only !== undefined && !only.includes(name)) continue;
      log(`${name}...`);
      out.push(...(await section()), '');
    }
  } catch (error) {
    log(describeError(error));
    return 1;
  }
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(describeError(error));
    process.exit(1);
  },
);
