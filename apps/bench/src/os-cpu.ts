import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let clockTicks: number | undefined;

/** Clock ticks per second of /proc's CPU times (`getconf CLK_TCK`, 100 on every Linux in use). */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5000 }).trim());
    } catch {
      clockTicks = Number.NaN;
    }
    if (!(clockTicks > 0)) clockTicks = 100;
  }
  return clockTicks;
}

/** The resolution of {@link osCpuMicros}: one clock tick, in microseconds. */
export function osCpuResolutionUs(): number {
  return 1e6 / ticksPerSecond();
}

/**
 * User + system CPU time of process `pid`, every thread, as the kernel accounts it
 * (`/proc/<pid>/stat` fields 14 and 15), in microseconds; `undefined` where there is no /proc
 * (not Linux) or the process is gone.
 */
export function osCpuMicros(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return ((utime + stime) * 1e6) / ticksPerSecond();
}

/** How far the kernel's figure may be from the process's own before the report flags it. */
export const CPU_AGREEMENT = { relative: 0.05, ticks: 3 } as const;

/**
 * Whether a process's self-reported total CPU and the kernel's disagree: by more than 5% and
 * more than three clock ticks (the kernel counts in ticks, 10 ms on Linux).
 */
export function cpuDisagrees(selfUs: number, osUs: number): boolean {
  const difference = Math.abs(selfUs - osUs);
  return (
    difference > CPU_AGREEMENT.relative * Math.max(selfUs, osUs) &&
    difference > CPU_AGREEMENT.ticks * osCpuResolutionUs()
  );
}
