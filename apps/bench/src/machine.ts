import os from 'node:os';

/** What the figures were measured on; printed with every table. */
export interface MachineInfo {
  readonly cpuModel: string;
  /** Logical cores available to this process. */
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  /** 1-minute load average when the run started: other work on the machine skews req/s and latency. */
  readonly loadAverage: number;
  /** ISO 8601, UTC. */
  readonly date: string;
}

/** Reads the machine's description now. */
export function describeMachine(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() || 'unknown CPU',
    cores: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadAverage: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}
