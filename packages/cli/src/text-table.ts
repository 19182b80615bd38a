/** How a column is aligned: text left, numbers right. */
export type Align = 'left' | 'right';

/**
 * A plain-text table: a header row and data rows, columns padded to their widest cell and
 * separated by two spaces. No borders and no colours, so it reads well piped into grep or less.
 */
export function textTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly Align[],
): string {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (align[i] === 'right' ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
