import type { TestResult } from './runner.js';

/** One runtime's run, as the matrix collected it. */
export interface RuntimeRun {
  readonly id: string;
  readonly label: string;
  readonly loads: string;
  /** What the runtime reported about itself (`node 22.23.3`, `workerd 2026-11-17`). */
  readonly version: string;
  readonly results: readonly TestResult[];
  /** What went wrong outside the tests: no start, no summary, no exit of its own. */
  readonly problems: readonly string[];
  readonly ms: number;
}

/** The table's columns: each a suite, found by the start of its tests' names. */
export const SUITES = [
  { prefix: 'entries', title: 'entries load' },
  { prefix: 'transport conformance: fetch', title: 'fetch transport suite' },
  { prefix: 'transport conformance: undici', title: 'undici transport suite' },
  { prefix: 'registry conformance: static', title: 'registry suite (static)' },
  { prefix: 'end to end: core engine, fetch transport', title: 'e2e: core + fetch' },
  {
    prefix: 'end to end: ServiceManager, default transport',
    title: 'e2e: ServiceManager (default transport)',
  },
  { prefix: 'end to end: ServiceManager, fetch transport', title: 'e2e: ServiceManager + fetch' },
] as const;

/** A Markdown table: a row per runtime, a cell per suite (`passed/run`, failures and exclusions named). */
export function renderTable(runs: readonly RuntimeRun[]): string {
  const header = [
    'runtime',
    'loads the packages as',
    ...SUITES.map((suite) => suite.title),
    'exits by itself',
  ];
  const rows = runs.map((run) => [
    run.version || `${run.label} (did not report)`,
    run.loads,
    ...SUITES.map((suite) => cell(run.results.filter((r) => r.name.startsWith(suite.prefix)))),
    run.problems.length === 0 ? 'yes' : `**no**: ${run.problems.map((p) => p.split('\n')[0]).join('; ')}`,
  ]);
  // Padded as the repository's formatter pads Markdown tables, so a written README stays formatted.
  const widths = header.map((_, i) => Math.max(3, ...[header, ...rows].map((cells) => width(cells[i]!))));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((text, i) => text + ' '.repeat(widths[i]! - width(text))).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function cell(results: readonly TestResult[]): string {
  if (results.length === 0) return 'not run';
  const passed = results.filter((r) => r.state === 'pass').length;
  const failed = results.filter((r) => r.state === 'fail').length;
  const excluded = results.filter((r) => r.state === 'excluded').length;
  const skipped = results.filter((r) => r.state === 'skip').length;
  const ran = results.length - excluded;
  let text = failed === 0 ? `${passed}/${ran} ✓` : `**${failed} of ${ran} failed**`;
  if (excluded > 0) text += `, ${excluded} excluded`;
  if (skipped > 0) text += `, ${skipped} skipped`;
  return text;
}

/** Characters, not UTF-16 units: `✓` is one. */
function width(text: string): number {
  return [...text].length;
}
