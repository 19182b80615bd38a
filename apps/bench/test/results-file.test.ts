import { describe, expect, it } from 'vitest';
import { parseBenchOptions } from '../src/options.js';
import { renderTable } from '../src/report.js';
import { RESULTS_FORMAT, type ResultsFile, rederive } from '../src/results-file.js';
import { summarize } from '../src/summary.js';

const run = (cpuUs: number) => ({
  completed: 1000,
  errors: 0,
  timedOut: false,
  wallMs: 400,
  cpuUs,
  p50Ms: 1,
  p99Ms: 2,
  processCpuUs: 2_000_000,
  osCpuUs: 2_010_000,
});

describe('the results file', () => {
  const runs = [run(20_000), run(22_000), run(19_000)];
  const file: ResultsFile = {
    format: RESULTS_FORMAT,
    options: parseBenchOptions(['--runs', '3'])!,
    machine: {
      cpuModel: 'Test CPU',
      cores: 2,
      memoryGiB: 4,
      os: 'Linux',
      node: 'v24',
      loadAverage: 0,
      date: '2026-01-01T00:00:00Z',
    },
    upstream: { instances: 3, bodyBytes: 206 },
    clients: [
      { id: 'raw-undici', label: 'raw', shortLabel: 'raw', status: 'ok', runs },
      { id: 'got', label: 'got', shortLabel: 'got', status: 'skipped', reason: 'not asked' },
    ],
    memory: [],
  };

  it('gives back, from the runs alone, the medians and spreads the report printed', () => {
    // Through JSON, as it is stored.
    const stored = JSON.parse(JSON.stringify(file)) as ResultsFile;
    const again = rederive(stored);
    const first = summarize('raw-undici', { label: 'raw', shortLabel: 'raw' }, runs);
    expect(again[0]).toEqual(first);
    expect(again[1]).toEqual(file.clients[1]);
    expect(renderTable(again, true)).toBe(renderTable([first, again[1]!], true));
    expect(renderTable(again, true)).toContain('**20.0 (19.0–22.0)**');
  });

  it('refuses a file of another format', () => {
    expect(() => rederive({ ...file, format: 99 as typeof RESULTS_FORMAT })).toThrow(/format 99/);
  });
});
