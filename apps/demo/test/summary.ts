/** One instance column of the demo's summary table: `127.0.0.1:18081 w1`. */
export interface ParsedColumn {
  address: string;
  weight: number;
}

/** One strategy row of the summary table. */
export interface ParsedRow {
  strategy: string;
  counts: number[];
  total: number;
  failed: number;
}

/** The demo's closing table, read back from its output. */
export interface ParsedSummary {
  callsPerStrategy: number;
  columns: ParsedColumn[];
  rows: Map<string, ParsedRow>;
}

/**
 * Reads the summary the demo prints last: the "N calls per strategy" line, then the table whose
 * cells are separated by two or more spaces. Throws, quoting the output, when it is not there.
 */
export function parseSummary(output: string): ParsedSummary {
  const calls = /(\d+) calls per strategy/.exec(output);
  if (calls === null) throw new Error(`no "N calls per strategy" line in:\n${output}`);
  const lines = output.split('\n').map((line) => line.trim());
  const headerAt = lines.findIndex((line) => line.startsWith('strategy '));
  if (headerAt < 0) throw new Error(`no summary table in:\n${output}`);
  const header = lines[headerAt]!.split(/\s{2,}/);
  if (header.at(-2) !== 'total' || header.at(-1) !== 'failed') {
    throw new Error(`unexpected table header: ${lines[headerAt]}`);
  }
  const columns = header.slice(1, -2).map((cell) => {
    const match = /^(\S+) w(\d+(?:\.\d+)?)$/.exec(cell);
    if (match === null) throw new Error(`unexpected instance column: ${cell}`);
    return { address: match[1]!, weight: Number(match[2]) };
  });
  const rows = new Map<string, ParsedRow>();
  for (const line of lines.slice(headerAt + 1)) {
    if (line === '') break;
    const cells = line.split(/\s{2,}/);
    const numbers = cells.slice(1).map(Number);
    if (cells.length !== header.length || numbers.some((n) => !Number.isInteger(n))) {
      throw new Error(`unexpected table row: ${line}`);
    }
    rows.set(cells[0]!, {
      strategy: cells[0]!,
      counts: numbers.slice(0, columns.length),
      total: numbers.at(-2)!,
      failed: numbers.at(-1)!,
    });
  }
  return { callsPerStrategy: Number(calls[1]), columns, rows };
}
