import type { ClientId } from './clients/catalog.js';
import { type CpuCrossCheck, renderCpuCrossCheck } from './cpu-check.js';
import type { MachineInfo } from './machine.js';
import type { BenchOptions } from './options.js';
import type { Spread } from './stats.js';
import type { ClientSummary } from './summary.js';

/** Everything the report says, gathered by the harness. */
export interface ReportInput {
  readonly options: BenchOptions;
  readonly machine: MachineInfo;
  readonly clients: readonly ClientSummary[];
  /** Python version of the seed's interpreter, when it ran. */
  readonly python?: string | undefined;
  /** How the upstream was run, for the settings line. */
  readonly upstream: { readonly instances: number; readonly bodyBytes: number };
  /** Extra notes (skipped parts, patched discovery, ...), one bullet each. */
  readonly notes: readonly string[];
  /** The chart's file name, relative to the report. */
  readonly chartFile: string;
  /** The load-balancer micro-benchmark's markdown, when it ran. */
  readonly balancers?: string | undefined;
  /** Each run's own CPU count against the kernel's. */
  readonly cpuCheck?: CpuCrossCheck | undefined;
  /** The memory micro-benchmark's markdown, when it ran. */
  readonly memory?: string | undefined;
}

/** One target of the issue: `client`'s median CPU per call over `baseline`'s, at most (or at least) `bound`. */
export interface Target {
  readonly client: ClientId;
  readonly baseline: ClientId;
  /** `max`: the ratio client/baseline must stay at or under `bound`; `min`: baseline/client at or over it. */
  readonly kind: 'max' | 'min';
  readonly bound: number;
  readonly text: string;
}

/** The issue's targets (#16), in the order the report lists them. */
export const TARGETS: readonly Target[] = [
  {
    client: 'sc-undici',
    baseline: 'raw-undici',
    kind: 'max',
    bound: 0.95,
    text: 'ServiceManager.get (undici) ≤ 0.95x raw undici `request` + `body.json()`',
  },
  {
    client: 'sc-undici',
    baseline: 'raw-dispatch',
    kind: 'max',
    bound: 1.1,
    text: 'ServiceManager.get (undici) ≤ 1.10x raw undici `dispatch` (handler + `JSON.parse`)',
  },
  {
    client: 'sc-fetch',
    baseline: 'fetch',
    kind: 'max',
    bound: 1.15,
    text: 'ServiceManager.get (fetch) ≤ 1.15x global `fetch` + `res.json()`',
  },
  {
    client: 'sc-undici',
    baseline: 'seed',
    kind: 'min',
    bound: 5,
    text: '≥ 5x less CPU per request than the Python seed',
  },
];

/** `client`'s median CPU per request over `baseline`'s, when both ran. */
export function cpuRatio(
  clients: readonly ClientSummary[],
  client: ClientId,
  baseline: ClientId,
): number | undefined {
  const a = find(clients, client);
  const b = find(clients, baseline);
  return a && b ? a.cpuUsPerRequest.median / b.cpuUsPerRequest.median : undefined;
}

/** The headline: client CPU per call of ServiceManager.get (undici) over raw undici `request`. */
export function overheadRatio(clients: readonly ClientSummary[]): number | undefined {
  return cpuRatio(clients, 'sc-undici', 'raw-undici');
}

/** The markdown results table alone, as printed to the terminal and embedded in the README. */
export function renderTable(clients: readonly ClientSummary[], multiRun: boolean): string {
  const raw = find(clients, 'raw-undici');
  const lines = [
    '| client | CPU µs / request | × raw undici | requests / s | p50 ms | p99 ms | client CPU busy | upstream CPU busy |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const c of clients) {
    if (c.status !== 'ok') {
      lines.push(`| ${c.label} | ${c.status}: ${escapeCell(c.reason)} | | | | | | |`);
      continue;
    }
    const ratio = raw ? `${(c.cpuUsPerRequest.median / raw.cpuUsPerRequest.median).toFixed(2)}x` : 'n/a';
    lines.push(
      `| ${c.label} | **${cell(c.cpuUsPerRequest, formatMicros, multiRun)}** | ${ratio} | ${cell(
        c.requestsPerSecond,
        formatCount,
        multiRun,
      )} | ${cell(c.p50Ms, formatMillis, multiRun)} | ${cell(c.p99Ms, formatMillis, multiRun)} | ${cell(
        c.busy,
        formatPercent,
        multiRun,
      )} | ${c.upstreamBusy ? cell(c.upstreamBusy, formatPercent, multiRun) : 'n/a'} |`,
    );
  }
  return lines.join('\n');
}

/**
 * The `overhead vs raw undici: 0.93x` line that follows the table (against raw `request`, so the
 * figure stays comparable with earlier reports), and the same against raw `dispatch`.
 */
export function renderHeadline(clients: readonly ClientSummary[]): string {
  const ratio = overheadRatio(clients);
  const headline =
    ratio === undefined
      ? 'overhead vs raw undici: n/a (needs clients 1a and 2 to have run)'
      : `overhead vs raw undici: ${ratio.toFixed(2)}x`;
  const dispatch = cpuRatio(clients, 'sc-undici', 'raw-dispatch');
  return dispatch === undefined
    ? headline
    : `${headline}\noverhead vs raw undici dispatch: ${dispatch.toFixed(2)}x`;
}

/** The whole report: settings, table, headline, targets, notes, chart, balancers. */
export function renderReport(input: ReportInput): string {
  const { options, machine } = input;
  const multiRun = options.runs > 1;
  const title =
    options.mode === 'quick' ? 'Benchmark smoke run (`pnpm bench --quick`)' : 'Benchmark (`pnpm bench`)';
  const python = input.python ? ` · Python ${input.python}` : '';
  const parts = [
    `# ${title}`,
    '',
    `${machine.date} · ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB · ${machine.os} · Node ${machine.node}${python} · 1-min load average at start: ${machine.loadAverage}`,
    '',
    `Each client runs in its own process with ${options.concurrency} requests in flight: ${formatCount(
      options.warmup,
    )} warm-up and then ${formatCount(options.requests)} measured GETs per run against ${
      input.upstream.instances
    } \`node:http\` instances (one separate process, 127.0.0.1, ${input.upstream.bodyBytes}-byte JSON body that every client parses). ${
      multiRun
        ? `${options.runs} runs per client, interleaved across clients; each figure is the median of the runs, with (min–max).`
        : `${options.runs} run per client: single figures, no spread (quick mode).`
    } CPU is the client process's user + system time (every thread) during the measured phase, divided by the requests.`,
    '',
    renderTable(input.clients, multiRun),
    '',
    renderHeadline(input.clients),
    '',
    ...renderTargets(input.clients),
    ...(input.cpuCheck === undefined ? [] : renderCpuCrossCheck(input.cpuCheck)),
    ...input.notes.map((n) => `- ${n}`),
    '',
    `![client CPU per request](${input.chartFile})`,
    '',
  ];
  if (input.memory) parts.push(input.memory.trim(), '');
  // The micro-benchmark's markdown brings its own heading.
  if (input.balancers) parts.push(input.balancers.trim(), '');
  return parts.join('\n');
}

/** Each target as met / not met with its figure, or why it could not be judged. */
export function renderTargets(clients: readonly ClientSummary[]): string[] {
  return TARGETS.map((target) => {
    const ratio = cpuRatio(clients, target.client, target.baseline);
    if (ratio === undefined) {
      return `- Target: ${target.text}: **not judged** (needs ${target.client} and ${target.baseline} to have run).`;
    }
    if (target.kind === 'max') {
      return `- Target: ${target.text}: ${ratio <= target.bound ? '**met**' : '**not met**'} (${ratio.toFixed(2)}x).`;
    }
    const inverse = 1 / ratio;
    return `- Target: ${target.text}: ${inverse >= target.bound ? '**met**' : '**not met**'} (${target.baseline} uses ${inverse.toFixed(1)}x the CPU of ${target.client}).`;
  });
}

function find(clients: readonly ClientSummary[], id: ClientId) {
  const c = clients.find((x) => x.id === id);
  return c?.status === 'ok' ? c : undefined;
}

function cell(s: Spread, format: (n: number) => string, multiRun: boolean): string {
  return multiRun ? `${format(s.median)} (${format(s.min)}–${format(s.max)})` : format(s.median);
}

/** Microseconds with 3 significant figures (at most 1 decimal above 10). */
export function formatMicros(us: number): string {
  return us >= 100 ? us.toFixed(0) : us >= 10 ? us.toFixed(1) : us.toFixed(2);
}

/** Milliseconds with 2 decimals below 10, 1 above. */
export function formatMillis(ms: number): string {
  return Number.isFinite(ms) ? (ms >= 10 ? ms.toFixed(1) : ms.toFixed(2)) : 'n/a';
}

/** A whole number with thousands separators. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function formatPercent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}
