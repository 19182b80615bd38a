/**
 * Client CPU added per call by the observability interceptors: `engine.request('GET', ...)` with
 * no interceptor, against the same call with an interceptor that has no hooks (what the chain
 * itself costs: with any interceptor the engine copies the call's options), with
 * `otelInterceptor` (no SDK; a recording SDK; a recording SDK plus the duration histogram) and
 * with `prometheusInterceptor` (with and without the instance label). Same engine shape for every row (undici transport, static registry, round
 * robin) in this process, against one upstream instance in its own process (its CPU is not
 * counted). Prints markdown on stdout, progress on stderr.
 *
 *   pnpm exec tsx --conditions=source src/interceptors.bench.ts [--quick]
 *
 * Rounds alternate the rows, rotating which goes first, so a shared machine's drift hits them
 * alike; each figure is the median over the rounds, and "added" is the median of the per-round
 * differences to the row without an interceptor measured in the same round.
 *
 * The recording SDK is what production runs: the async-hooks context manager (enabled for every
 * row, as in an application that has an SDK; the engine itself never reads it), W3C trace
 * context + baggage propagation, a batch span processor whose exporter drops the spans (so the
 * export itself, a network matter, is not measured), and for the histogram a metric reader that
 * is never collected (the SDK aggregates on every record all the same).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { context, type TextMapPropagator } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  CompositePropagator,
  ExportResultCode,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, type SpanExporter, TracerProvider } from '@opentelemetry/sdk-trace';
import {
  type CallEngine,
  createCallEngine,
  type RawResponse,
  roundRobin,
  type ServiceInterceptor,
  silentLogger,
  staticRegistry,
} from '@service-caller/core';
import { createRequestContext, finishAttempt, startAttempt } from '@service-caller/core/adapter';
import { otelInterceptor } from '@service-caller/interceptor-otel';
import { prometheusInterceptor } from '@service-caller/interceptor-prometheus';
import { undiciTransport } from '@service-caller/transport-undici';
import { Registry } from 'prom-client';
import { nodeCommand } from './client-runs.js';
import { describeError, type PhaseSpec, runPhase } from './load-loop.js';
import { describeMachine } from './machine.js';
import { installChildCleanup } from './processes.js';
import { spread } from './stats.js';
import { startUpstream } from './upstream.js';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 5 : 31;
const WARMUP: PhaseSpec = {
  requests: quick ? 2_000 : 5_000,
  concurrency: 16,
  timeLimitMs: 60_000,
  maxErrors: 100,
};
/**
 * Hook runs per sample in the no-I/O table (below the span queue's 65,536, so no span is dropped
 * within a sample), and samples per row.
 */
const HOOK_CALLS = 50_000;
const HOOK_SAMPLES = quick ? 5 : 21;
const ROUND: PhaseSpec = {
  requests: quick ? 1_000 : 3_000,
  concurrency: 16,
  timeLimitMs: 60_000,
  maxErrors: 100,
};

function log(message: string): void {
  process.stderr.write(`[interceptors] ${message}\n`);
}

/** Drops every span: the export is a network matter, not the interceptor's cost. */
const discardingExporter: SpanExporter = {
  export: (_spans, done) => done({ code: ExportResultCode.SUCCESS }),
  shutdown: () => Promise.resolve(),
};

/** A reader nobody collects: the SDK still aggregates every recorded value. */
class IdleReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

/** V8's `gc()`, made available at run time (the bench runs without `--expose-gc`). */
const collectGarbage = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

/** One row: a label and the interceptor it adds (none for the baseline). */
interface Row {
  readonly label: string;
  readonly interceptor: ServiceInterceptor | undefined;
}

interface Measured {
  readonly row: Row;
  readonly engine: CallEngine;
  readonly cpuUsPerCall: number[];
  /** Per round: this row's CPU per call minus the baseline's in the same round. */
  readonly addedUs: number[];
}

function rows(): { rows: Row[]; settle: () => Promise<void>; shutdown: () => Promise<void> } {
  const tracerProvider = new TracerProvider({
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: discardingExporter,
        maxQueueSize: 65_536,
        maxExportBatchSize: 4_096,
        scheduledDelayMillis: 200,
      }),
    ],
  });
  const meterProvider = new MeterProvider({ readers: [new IdleReader()] });
  const propagator: TextMapPropagator = new CompositePropagator({
    propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
  });
  return {
    rows: [
      { label: 'no interceptor', interceptor: undefined },
      // What any interceptor costs before it does anything: the engine copies the options and runs the chain.
      { label: 'an interceptor without hooks (the chain itself)', interceptor: { name: 'empty' } },
      { label: 'otelInterceptor(), no SDK set up', interceptor: otelInterceptor() },
      {
        label: 'otelInterceptor, recording SDK',
        interceptor: otelInterceptor({ tracerProvider, propagator }),
      },
      {
        label: 'otelInterceptor, recording SDK + duration histogram',
        interceptor: otelInterceptor({ tracerProvider, propagator, metrics: true, meterProvider }),
      },
      { label: 'prometheusInterceptor', interceptor: prometheusInterceptor({ registry: new Registry() }) },
      {
        label: 'prometheusInterceptor, instanceLabel',
        interceptor: prometheusInterceptor({ registry: new Registry(), instanceLabel: true }),
      },
    ],
    settle: async () => {
      await tracerProvider.forceFlush();
      collectGarbage();
    },
    shutdown: async () => {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
    },
  };
}

const HOOK_INSTANCE = Object.freeze({
  id: '127.0.0.1:8080',
  serviceName: 'bench',
  host: '127.0.0.1',
  port: 8080,
  weight: 1,
  healthy: true,
  metadata: Object.freeze({}),
});
const HOOK_RESPONSE = {
  status: 200,
  statusText: 'OK',
  headers: {},
  bodyUsed: true,
} as unknown as RawResponse;

/**
 * One successful call through the interceptor's hooks as the engine runs them, on a fresh
 * context from core: `beforeRequest`, an attempt (core's `startAttempt`, `beforeAttempt`,
 * `finishAttempt`, `afterAttempt`), `afterResponse`.
 */
function playCall(interceptor: ServiceInterceptor): void {
  const ctx = createRequestContext({ method: 'GET', serviceName: 'bench', path: '/users/7' });
  interceptor.beforeRequest?.(ctx);
  const attempt = startAttempt(ctx, HOOK_INSTANCE);
  interceptor.beforeAttempt?.(ctx, attempt);
  finishAttempt(attempt, { status: 200 });
  interceptor.afterAttempt?.(ctx, attempt);
  ctx.response = HOOK_RESPONSE;
  ctx.result = HOOK_RESULT;
  ctx.endTime = ctx.startTime + 1.5;
  ctx.duration = 1.5;
  interceptor.afterResponse?.(ctx);
}
const HOOK_RESULT = { ok: true };

/**
 * The interceptor's own work per call without I/O or the engine: its hooks through one
 * successful call with one attempt ({@link playCall}), CPU ns per call, median over samples,
 * minus the same for an interceptor without hooks (the context and the attempt record). The
 * first table's noise (a whole call is ~20 µs) hides differences this one shows. `settle`
 * (flushing the span queue, collecting garbage) runs between samples, so no row pays for
 * another's leftovers.
 */
async function hookWork(table: readonly Row[], settle: () => Promise<void>): Promise<string[]> {
  const lines = [
    `Interceptor work per call, no I/O (its hooks through one call with one attempt, on core's own context and attempt records; ${HOOK_SAMPLES} x ${HOOK_CALLS} calls, CPU time, median; the first row is the context and attempt themselves)`,
    '',
    "| interceptor | CPU ns/call | the interceptor's own ns/call |",
    '| --- | --- | --- |',
  ];
  let base: number | undefined;
  for (const { label, interceptor } of table) {
    if (interceptor === undefined) continue;
    const run = (calls: number) => {
      for (let i = 0; i < calls; i++) playCall(interceptor);
    };
    run(HOOK_CALLS); // warm-up
    const samples: number[] = [];
    for (let sample = 0; sample < HOOK_SAMPLES; sample++) {
      await settle();
      // CPU time, not wall time: on a shared machine the wall clock counts the other processes too.
      const start = process.cpuUsage();
      run(HOOK_CALLS);
      const used = process.cpuUsage(start);
      samples.push(((used.user + used.system) * 1e3) / HOOK_CALLS);
    }
    const ns = spread(samples).median;
    base ??= ns;
    lines.push(
      `| ${label} | ${ns.toFixed(0)} | ${interceptor === table[1]?.interceptor ? '-' : (ns - base).toFixed(0)} |`,
    );
  }
  return lines;
}

async function main(): Promise<number> {
  installChildCleanup();
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const loadAtStart = describeMachine().loadAverage;
  const upstream = await startUpstream(nodeCommand(), 1);
  const { rows: table, settle, shutdown } = rows();
  const measured: Measured[] = table.map((row) => ({
    row,
    engine: createCallEngine({
      discovery: staticRegistry({
        services: { bench: [{ host: upstream.host, port: upstream.ports[0]! }] },
        logger: silentLogger,
      }),
      transport: undiciTransport(),
      loadBalancer: roundRobin(),
      interceptors: row.interceptor === undefined ? [] : [row.interceptor],
      logger: silentLogger,
    }),
    cpuUsPerCall: [],
    addedUs: [],
  }));
  let failed = false;
  try {
    for (const m of measured) {
      const warm = await runPhase(() => m.engine.request('GET', 'bench', '/users/7'), WARMUP);
      if (warm.errors > 0) throw new Error(`${m.row.label} failed in warm-up: ${warm.firstError}`);
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < measured.length; k++) {
        const m = measured[(round + k) % measured.length]!;
        const result = await runPhase(() => m.engine.request('GET', 'bench', '/users/7'), ROUND);
        if (result.errors > 0 || result.timedOut) {
          throw new Error(
            `${m.row.label} failed in round ${round + 1}: ${result.firstError ?? 'time limit hit'}`,
          );
        }
        m.cpuUsPerCall.push(result.cpuUs / result.completed);
      }
      const base = measured[0]!.cpuUsPerCall[round]!;
      for (const m of measured) m.addedUs.push(m.cpuUsPerCall[round]! - base);
      if ((round + 1) % 5 === 0 || round + 1 === ROUNDS) log(`round ${round + 1}/${ROUNDS} done`);
    }
    const base = spread(measured[0]!.cpuUsPerCall).median;
    const lines = [
      `Interceptor overhead (${ROUNDS} rounds x ${ROUND.requests} calls, concurrency ${ROUND.concurrency}, medians; 1-min load average at start ${loadAtStart})`,
      '',
      '| interceptor | client CPU µs/call (min-max) | added µs/call (median of per-round differences) | added vs no interceptor |',
      '| --- | --- | --- | --- |',
    ];
    for (const m of measured) {
      const cpu = spread(m.cpuUsPerCall);
      const added = spread(m.addedUs).median;
      const share = m === measured[0] ? '-' : `${added >= 0 ? '+' : ''}${((added / base) * 100).toFixed(1)}%`;
      lines.push(
        `| ${m.row.label} | ${cpu.median.toFixed(2)} (${cpu.min.toFixed(2)}-${cpu.max.toFixed(2)}) | ${m === measured[0] ? '-' : added.toFixed(2)} | ${share} |`,
      );
    }
    lines.push('', ...(await hookWork(table, settle)));
    process.stdout.write(`${lines.join('\n')}\n`);
  } catch (error) {
    failed = true;
    log(describeError(error));
  } finally {
    await Promise.all(measured.map((m) => m.engine.close()));
    await shutdown();
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
