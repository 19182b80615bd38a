import { CPU_AGREEMENT, cpuDisagrees } from './os-cpu.js';
import type { ClientSummary } from './summary.js';

/** One run whose self-reported CPU and the kernel's disagree. */
export interface CpuDisagreement {
  readonly client: string;
  readonly run: number;
  readonly selfUs: number;
  readonly osUs: number;
}

/** The cross-check over every run: how far apart the two counts were, and where they disagreed. */
export interface CpuCrossCheck {
  /** Runs with both counts. */
  readonly checked: number;
  /** The largest relative difference seen, 0.03 = 3%. */
  readonly worst: number;
  readonly disagreements: readonly CpuDisagreement[];
}

/**
 * Compares, for every run, the client process's own count of its whole CPU time with the
 * kernel's (/proc/<pid>/stat), both taken when the run ended. The table's CPU figures come from
 * the process's own count over the measured phase; this shows that count can be trusted.
 */
export function crossCheckCpu(clients: readonly ClientSummary[]): CpuCrossCheck {
  let checked = 0;
  let worst = 0;
  const disagreements: CpuDisagreement[] = [];
  for (const client of clients) {
    if (client.status !== 'ok') continue;
    client.runs.forEach((run, index) => {
      const selfUs = run.processCpuUs;
      const osUs = run.osCpuUs;
      if (selfUs === undefined || osUs === undefined || !(selfUs > 0)) return;
      checked++;
      worst = Math.max(worst, Math.abs(selfUs - osUs) / Math.max(selfUs, osUs));
      if (cpuDisagrees(selfUs, osUs)) disagreements.push({ client: client.id, run: index + 1, selfUs, osUs });
    });
  }
  return { checked, worst, disagreements };
}

/** The report's line (and a flag per disagreeing run). */
export function renderCpuCrossCheck(check: CpuCrossCheck): string[] {
  if (check.checked === 0) {
    return ['- CPU cross-check: not done (no /proc on this system, or no run reported its process CPU).'];
  }
  const bound = `${CPU_AGREEMENT.relative * 100}% (or ${CPU_AGREEMENT.ticks} clock ticks)`;
  if (check.disagreements.length === 0) {
    return [
      `- CPU cross-check: in all ${check.checked} runs the client process's own CPU count agreed with the kernel's (/proc/<pid>/stat utime+stime) within ${bound}; largest difference ${(check.worst * 100).toFixed(1)}%.`,
    ];
  }
  return [
    `- **CPU cross-check: ${check.disagreements.length} of ${check.checked} runs disagree with the kernel by more than ${bound}** (own count vs /proc/<pid>/stat):`,
    ...check.disagreements.map(
      (d) =>
        `  - ${d.client} run ${d.run}: ${(d.selfUs / 1000).toFixed(0)} ms by its own count, ${(d.osUs / 1000).toFixed(0)} ms by the kernel's`,
    ),
  ];
}
