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
}

/** Target from the issue: ServiceManager.get on undici costs at most this much raw undici's CPU per call. */
export const OVERHEAD_TARGET = 1.1;
/** Target from the issue: the Python seed costs at least this many times ServiceManager.get's CPU per call. */
export const SEED_RATIO_TARGET = 5;

/** The headline: client CPU per call of ServiceManager.get (undici) over raw undici. */
export function overheadRatio(clients: readonly ClientSummary[]): number | undefined {
  const raw = find(clients, 'raw-undici');
  const sc = find(clients, 'sc-undici');
  return raw && sc ? sc.cpuUsPerRequest.median / raw.cpuUsPerRequest.median : undefined;
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

/** The `overhead vs raw undici: 1.07x` line that follows the table. */
export function renderHeadline(clients: readonly ClientSummary[]): string {
  const ratio = overheadRatio(clients);
  return ratio === undefined
    ? 'overhead vs raw undici: n/a (needs clients 1 and 2 to have run)'
    : `overhead vs raw undici: ${ratio.toFixed(2)}x`;
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
    ...input.notes.map((n) => `- ${n}`),
    '',
    `![client CPU per request](${input.chartFile})`,
    '',
  ];
  // The micro-benchmark's markdown brings its own heading.
  if (input.balancers) parts.push(input.balancers.trim(), '');
  return parts.join('\n');
}

function renderTargets(clients: readonly ClientSummary[]): string[] {
  const lines: string[] = [];
  const ratio = overheadRatio(clients);
  if (ratio !== undefined) {
    lines.push(
      `- Target: ServiceManager.get (undici) ≤ ${OVERHEAD_TARGET.toFixed(2)}x raw undici CPU per request: ${
        ratio <= OVERHEAD_TARGET ? '**met**' : '**not met**'
      } (${ratio.toFixed(2)}x).`,
    );
  }
  const sc = find(clients, 'sc-undici');
  const seed = find(clients, 'seed');
  if (sc && seed) {
    const seedRatio = seed.cpuUsPerRequest.median / sc.cpuUsPerRequest.median;
    lines.push(
      `- Target: ≥ ${SEED_RATIO_TARGET}x less CPU per request than the Python seed: ${
        seedRatio >= SEED_RATIO_TARGET ? '**met**' : '**not met**'
      } (the seed uses ${seedRatio.toFixed(1)}x the CPU of ServiceManager.get on undici).`,
    );
  }
  return lines;
}

function find(clients: readonly ClientSummary[], id: string) {
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
