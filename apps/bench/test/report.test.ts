import { describe, expect, it } from 'vitest';
import type { ClientId } from '../src/clients/catalog.js';
import { crossCheckCpu } from '../src/cpu-check.js';
import type { MachineInfo } from '../src/machine.js';
import { parseBenchOptions } from '../src/options.js';
import { renderHeadline, renderReport } from '../src/report.js';
import type { ClientSummary } from '../src/summary.js';
import { summarize } from '../src/summary.js';

const machine: MachineInfo = {
  cpuModel: 'Test CPU',
  cores: 2,
  memoryGiB: 4,
  os: 'Linux test x64',
  node: 'v24.0.0',
  loadAverage: 0.5,
  date: '2026-01-02T03:04:05Z',
};

function run(cpuUsPerRequest: number, completed = 1000) {
  return {
    completed,
    errors: 0,
    timedOut: false,
    wallMs: 500,
    cpuUs: cpuUsPerRequest * completed,
    p50Ms: 1,
    p99Ms: 3,
  };
}

function client(id: ClientId, cpu: readonly number[]): ClientSummary {
  return summarize(
    id,
    { label: `label ${id}`, shortLabel: id },
    cpu.map((c) => run(c)),
  );
}

function tableAndAfter(markdown: string): { table: string[]; after: string[] } {
  const lines = markdown.split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  let end = first;
  while (end < lines.length && lines[end]!.startsWith('|')) end++;
  return { table: lines.slice(first, end), after: lines.slice(end).filter((l) => l.trim() !== '') };
}

describe('renderReport', () => {
  const options = parseBenchOptions([])!;
  const clients = [
    client('raw-undici', [20, 21, 19, 20, 22]),
    client('raw-dispatch', [19, 19.5, 20, 18, 19]),
    client('sc-undici', [21.4, 22, 21, 21.5, 23]),
    client('seed', [150, 160, 140, 155, 150]),
    { id: 'got', label: 'label got', shortLabel: 'got', status: 'skipped', reason: 'not | wanted' } as const,
  ];
  const report = renderReport({
    options,
    machine,
    clients,
    upstream: { instances: 3, bodyBytes: 206 },
    notes: ['a note'],
    chartFile: 'latest.svg',
  });

  it('puts the headline on the first line under the table: client 2 over client 1a, median CPU, then 1b', () => {
    const { table, after } = tableAndAfter(report);
    expect(table).toHaveLength(2 + clients.length);
    // 21.5 / 20 = 1.075; 21.5 / 19 = 1.13
    expect(after[0]).toBe('overhead vs raw undici: 1.07x');
    expect(after[1]).toBe('overhead vs raw undici dispatch: 1.13x');
  });

  it('shows the median with min–max for several runs and the ratio to raw undici', () => {
    const row = report.split('\n').find((l) => l.startsWith('| label sc-undici'))!;
    expect(row).toContain('**21.5 (21.0–23.0)**');
    expect(row).toContain('1.07x');
  });

  it('reports each target as met or not met with its figure, or says why it was not judged', () => {
    expect(report).toContain(
      '- Target: ServiceManager.get (undici) ≤ 0.95x raw undici `request` + `body.json()`: **not met** (1.07x).',
    );
    expect(report).toContain(
      '- Target: ServiceManager.get (undici) ≤ 1.10x raw undici `dispatch` (handler + `JSON.parse`): **not met** (1.13x).',
    );
    expect(report).toContain('(needs sc-fetch and fetch to have run)');
    expect(report).toMatch(/≥ 5x less CPU .*\*\*met\*\* \(seed uses 7\.0x the CPU of sc-undici\)/);
  });

  it('keeps a skipped client visible, with a table-safe reason', () => {
    expect(report).toContain('| label got | skipped: not \\| wanted |');
  });

  it('names the machine, the date and the chart', () => {
    expect(report).toContain('2026-01-02T03:04:05Z · Test CPU, 2 cores');
    expect(report).toContain('![client CPU per request](latest.svg)');
  });
});

describe('renderHeadline', () => {
  it('says n/a when client 2 has no figures', () => {
    expect(renderHeadline([client('raw-undici', [20])])).toMatch(/^overhead vs raw undici: n\/a/);
  });
});

describe('crossCheckCpu', () => {
  const withCpu = (selfUs: number, osUs: number | undefined) => ({
    ...run(20),
    processCpuUs: selfUs,
    osCpuUs: osUs,
  });
  it("finds runs whose own CPU count and the kernel's disagree by more than 5% and 3 ticks", () => {
    const ok = summarize('raw-undici', { label: 'a', shortLabel: 'a' }, [withCpu(1_000_000, 1_020_000)]);
    const off = summarize('sc-undici', { label: 'b', shortLabel: 'b' }, [
      withCpu(1_000_000, 1_000_000),
      withCpu(1_000_000, 1_300_000),
      withCpu(1_000, 1_200),
    ]);
    const check = crossCheckCpu([ok, off]);
    expect(check.checked).toBe(4);
    // The third run differs by 20% but by less than three 10 ms ticks: within the kernel's resolution.
    expect(check.disagreements).toEqual([
      { client: 'sc-undici', run: 2, selfUs: 1_000_000, osUs: 1_300_000 },
    ]);
    expect(check.worst).toBeCloseTo(0.2308, 3);
  });

  it('is not done without /proc figures', () => {
    expect(crossCheckCpu([client('raw-undici', [20])]).checked).toBe(0);
  });
});
