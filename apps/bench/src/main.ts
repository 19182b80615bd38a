/**
 * `pnpm bench [--quick]`: starts the upstream, runs every client in its own process (interleaved,
 * `runs` times), runs the load-balancer micro-benchmark, and writes the markdown report and the
 * SVG chart to `results/`. Exits non-zero when a client that should have run failed.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isConfigError } from '@service-caller/core';
import { MICRO_BENCHMARKS, runMicroBenchmark } from './balancers.js';
import { renderChart } from './chart.js';
import type { ChildConfig, RunResult } from './child-protocol.js';
import { type ClientRun, nodeCommand, runClientOnce } from './client-runs.js';
import { CLIENTS, type ClientId } from './clients/catalog.js';
import { SERVICE_NAME } from './clients/contract.js';
import { crossCheckCpu } from './cpu-check.js';
import { describeError } from './load-loop.js';
import { describeMachine } from './machine.js';
import { type MemoryResult, renderMemory, runMemoryBenchmark } from './memory.js';
import { parseBenchOptions, USAGE } from './options.js';
import { installChildCleanup, killAllChildren } from './processes.js';
import { prepareSeed, SEED_VERSION } from './python-seed.js';
import { updateReadme } from './readme.js';
import { formatMicros, renderHeadline, renderReport, renderTable, renderTargets } from './report.js';
import { RESULTS_FORMAT, type ResultsFile } from './results-file.js';
import { type ClientSummary, type MeasuredRun, runProblem, summarize } from './summary.js';
import { startUpstream } from './upstream.js';

const UPSTREAM_INSTANCES = 3;
const UPSTREAM_PATH = '/bench/item';
const RESULTS_DIR = new URL('../results/', import.meta.url);

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<number> {
  const options = parseBenchOptions(process.argv.slice(2));
  if (options === undefined) {
    process.stdout.write(USAGE);
    return 0;
  }
  installChildCleanup();
  const machine = describeMachine();
  const notes: string[] = [];
  const started = performance.now();
  log(
    `[bench] ${options.mode} run: ${options.clients.length} clients x ${options.runs} run(s), concurrency ${options.concurrency}, ${options.warmup} warm-up + ${options.requests} measured requests`,
  );

  let python: string | undefined;
  let clientIds = options.clients;
  const skipped = new Map<ClientId, string>();
  if (clientIds.includes('seed')) {
    const seed = await prepareSeed(options.mode === 'full', log);
    if (seed.ready) {
      python = seed.python;
      notes.push(
        `Python seed: aio-service-caller ${SEED_VERSION} with its Nacos discovery patched to the same ${UPSTREAM_INSTANCES} instances (the bench's driver implements the seed's IServiceDiscovery; no Nacos server involved), LoggingInterceptor (logging off) + AuthInterceptor, round_robin, default asyncio loop.`,
      );
    } else {
      skipped.set('seed', seed.reason);
      log(`[bench] skipping the Python seed: ${seed.reason}`);
      notes.push(`Python seed skipped: ${seed.reason}.`);
    }
    clientIds = clientIds.filter((id) => !skipped.has(id));
  }
  if (options.mode === 'quick') {
    notes.push('Quick mode: one short run per client; the figures only show that the harness works.');
  } else if (options.runs < 5) {
    notes.push(`Only ${options.runs} run(s) per client (fewer than the 5 the published figures use).`);
  }

  const node = nodeCommand();
  const upstream = await startUpstream(node, UPSTREAM_INSTANCES);
  log(`[bench] upstream: ${UPSTREAM_INSTANCES} node:http instances on 127.0.0.1:${upstream.ports.join(',')}`);
  const config: ChildConfig = {
    host: upstream.host,
    ports: upstream.ports,
    path: UPSTREAM_PATH,
    serviceName: SERVICE_NAME,
    concurrency: options.concurrency,
    warmup: options.warmup,
    requests: options.requests,
    timeLimitMs: options.phaseTimeLimitSec * 1000,
    maxErrors: 100,
  };

  const runs = new Map<ClientId, MeasuredRun[]>(clientIds.map((id) => [id, []]));
  const failures = new Map<ClientId, string>();
  let memory: MemoryResult[] = [];
  let memoryFailed = false;
  try {
    // The upstream's own JIT warm-up must not land on whichever client happens to run first.
    const upstreamWarmup = await runClientOnce(
      'raw-undici',
      { ...config, warmup: 0, requests: options.mode === 'quick' ? 2000 : 10_000 },
      { node },
    );
    if ('error' in upstreamWarmup) throw new Error(`warming up the upstream failed: ${upstreamWarmup.error}`);

    // Interleaved (every client once per round) so drift in the machine's load hits every client alike.
    for (let round = 1; round <= options.runs; round++) {
      for (const id of clientIds) {
        if (failures.has(id)) continue;
        const before = await upstream.stats().catch(() => undefined);
        const outcome = await runClientOnce(id, config, { node, python });
        const after = await upstream.stats().catch(() => undefined);
        const problem = 'error' in outcome ? outcome.error : runProblem(outcome.result, options.requests);
        if (problem !== undefined) {
          failures.set(id, problem);
          log(`[bench] run ${round}/${options.runs} ${id}: FAILED: ${problem}`);
          continue;
        }
        const r: MeasuredRun = {
          ...(outcome as { result: ClientRun }).result,
          upstreamCpuUsPerRequest:
            before && after && after.requests > before.requests
              ? (after.cpuUs - before.cpuUs) / (after.requests - before.requests)
              : undefined,
        };
        runs.get(id)!.push(r);
        log(
          `[bench] run ${round}/${options.runs} ${id}: ${formatMicros(r.cpuUs / r.completed)} µs CPU/request, ${Math.round(
            r.completed / (r.wallMs / 1000),
          )} req/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms`,
        );
      }
    }
    if (options.memoryCalls > 0) {
      const measured = await runMemoryBenchmark(node, upstream, options.memoryCalls, log);
      memory = measured.results;
      for (const failure of measured.failures) {
        memoryFailed = true;
        notes.push(`Memory benchmark failed for ${failure}.`);
      }
    }
  } finally {
    await upstream.stop();
  }

  const summaries: ClientSummary[] = options.clients.map((id) => {
    const labels = labelsFor(id, runs.get(id)?.[0]);
    const skipReason = skipped.get(id);
    if (skipReason !== undefined) return { id, ...labels, status: 'skipped', reason: skipReason };
    const failure = failures.get(id);
    if (failure !== undefined) return { id, ...labels, status: 'failed', reason: failure };
    return summarize(id, labels, runs.get(id) ?? []);
  });

  let balancers: string | undefined;
  let balancersFailed = false;
  if (options.balancers) {
    const tables: string[] = [];
    for (const bench of MICRO_BENCHMARKS) {
      const outcome = await runMicroBenchmark(bench, node, options.mode, log);
      if ('markdown' in outcome) tables.push(outcome.markdown);
      else {
        balancersFailed ||= outcome.failed;
        notes.push(`${bench.title} ${outcome.failed ? 'failed' : 'skipped'}: ${outcome.reason}.`);
      }
    }
    if (tables.length > 0) balancers = tables.join('\n\n');
  }

  const pythonVersion = runs.get('seed')?.[0]?.runtimeVersion;
  const base = options.mode === 'quick' ? 'quick' : 'latest';
  const multiRun = options.runs > 1;
  const cpuCheck = crossCheckCpu(summaries);
  const report = renderReport({
    options,
    machine,
    clients: summaries,
    python: pythonVersion,
    upstream: { instances: UPSTREAM_INSTANCES, bodyBytes: upstream.bodyBytes },
    notes,
    chartFile: `${base}.svg`,
    balancers,
    cpuCheck,
    memory: memory.length > 0 ? renderMemory(memory) : undefined,
  });
  const chart = renderChart({
    clients: summaries,
    subtitle: `${machine.cpuModel}, ${machine.cores} cores · Node ${machine.node} · ${machine.date} · ${
      multiRun ? `median of ${options.runs} runs, whiskers min–max` : '1 run (quick mode)'
    }`,
  });
  mkdirSync(RESULTS_DIR, { recursive: true });
  const mdFile = new URL(`${base}.md`, RESULTS_DIR);
  writeFileSync(mdFile, report);
  writeFileSync(new URL(`${base}.svg`, RESULTS_DIR), chart);
  // Every run's own figures, so that the medians above can be derived again (`pnpm rederive`).
  const results: ResultsFile = {
    format: RESULTS_FORMAT,
    options,
    machine,
    python: pythonVersion,
    upstream: { instances: UPSTREAM_INSTANCES, bodyBytes: upstream.bodyBytes },
    clients: summaries.map((c) =>
      c.status === 'ok'
        ? { id: c.id, label: c.label, shortLabel: c.shortLabel, status: c.status, runs: c.runs }
        : c,
    ),
    memory,
  };
  writeFileSync(new URL(`${base}.json`, RESULTS_DIR), `${JSON.stringify(results, null, 1)}\n`);
  if (options.mode === 'full') await updateReadme(report, log);

  process.stdout.write(
    `\n${renderTable(summaries, multiRun)}\n\n${renderHeadline(summaries)}\n\n${renderTargets(summaries).join('\n')}\n\n`,
  );
  if (memory.length > 0) process.stdout.write(`${renderMemory(memory)}\n\n`);
  if (balancers) process.stdout.write(`${balancers.trim()}\n\n`);
  for (const note of notes) process.stdout.write(`- ${note}\n`);
  process.stdout.write(
    `\nWrote ${mdFile.pathname} and ${base}.svg (${Math.round((performance.now() - started) / 1000)} s).\n`,
  );
  return failures.size > 0 || balancersFailed || memoryFailed ? 1 : 0;
}

/** The row and chart labels with library versions filled in. */
function labelsFor(id: ClientId, firstRun: RunResult | undefined): { label: string; shortLabel: string } {
  const info = CLIENTS[id];
  let version = '';
  if (info.versionOf) version = installedVersion(info.versionOf);
  else if (id === 'fetch') version = process.versions.node;
  else if (id === 'seed') version = firstRun?.version ?? SEED_VERSION;
  const fill = (template: string) =>
    template.replace('{version}', version).replace('{python}', firstRun?.runtimeVersion ?? '3.12+');
  return { label: fill(info.label), shortLabel: fill(info.short) };
}

function installedVersion(pkg: string): string {
  try {
    const file = new URL(`../node_modules/${pkg}/package.json`, import.meta.url);
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    killAllChildren();
    if (isConfigError(error)) log(`[bench] ${error.message}\n\n${USAGE}`);
    else log(`[bench] ${error instanceof Error && error.stack ? error.stack : describeError(error)}`);
    process.exitCode = 1;
  },
);
