/** One instance column of the summary. */
export interface InstanceColumn {
  /** `host:port` */
  readonly address: string;
  readonly weight: number;
}

/** Calls of one strategy: answered per instance address, and calls that failed. */
export interface StrategyRow {
  readonly strategy: string;
  readonly perInstance: ReadonlyMap<string, number>;
  readonly failed: number;
}

/**
 * The demo's closing table, one row per load-balancing strategy, one column per instance:
 *
 * ```text
 * strategy              127.0.0.1:18081 w1  127.0.0.1:18082 w2  127.0.0.1:18083 w3  total  failed
 * round_robin                           40                  40                  40    120       0
 * ```
 *
 * Cells are separated by at least two spaces, so the table splits on `/\s{2,}/` (the demo's test does).
 */
export function renderSummaryTable(columns: readonly InstanceColumn[], rows: readonly StrategyRow[]): string {
  const header = ['strategy', ...columns.map((c) => `${c.address} w${c.weight}`), 'total', 'failed'];
  const body = rows.map((row) => {
    const counts = columns.map((c) => row.perInstance.get(c.address) ?? 0);
    const total = counts.reduce((sum, n) => sum + n, 0) + row.failed;
    return [row.strategy, ...counts.map(String), String(total), String(row.failed)];
  });
  const widths = header.map((cell, i) => Math.max(cell.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(header), ...body.map(line)].join('\n');
}
