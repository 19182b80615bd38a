import { describe, expect, it } from 'vitest';
import { type RuntimeRun, renderTable } from '../src/table.js';

const run = (overrides: Partial<RuntimeRun>): RuntimeRun => ({
  id: 'x',
  label: 'X',
  loads: 'npm packages',
  version: 'x 1.0',
  results: [],
  problems: [],
  ms: 0,
  ...overrides,
});

describe('the runtime table', () => {
  it('counts each suite per row, names failures, exclusions and problems, and says what did not run', () => {
    const table = renderTable([
      run({
        version: 'bun 1.4.5',
        results: [
          { name: 'transport conformance: fetch > a', state: 'pass', ms: 1 },
          { name: 'transport conformance: fetch > b', state: 'excluded', ms: 0, error: 'no CA' },
          { name: 'registry conformance: static > c', state: 'fail', ms: 1, error: 'boom' },
        ],
        problems: ['did not exit by itself within 10 s of its last test'],
      }),
    ]);
    const row = table.split('\n')[2]!;
    const cells = row.split('|').map((cell) => cell.trim());
    expect(cells).toContain('1/1 ✓, 1 excluded');
    expect(cells).toContain('**1 of 1 failed**');
    expect(cells).toContain('not run');
    expect(cells.at(-2)).toBe('**no**: did not exit by itself within 10 s of its last test');
  });

  it('pads every column to one width, as the formatter leaves a Markdown table', () => {
    const lines = renderTable([run({ version: 'a much longer runtime name 1.0' }), run({})]).split('\n');
    const widths = lines.map((line) => [...line].length);
    expect(new Set(widths).size).toBe(1);
    expect(lines[1]).toMatch(/^\| -+ \| -+ \|/);
  });
});
