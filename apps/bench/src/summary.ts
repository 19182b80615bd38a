import type { ClientRun } from './client-runs.js';
import type { ClientId } from './clients/catalog.js';
import { type Spread, spread } from './stats.js';

/** One run as the harness records it: the child's figures plus the upstream's during the run. */
export interface MeasuredRun extends ClientRun {
  /**
   * Upstream CPU per request served while this client's process ran (warm-up included), in
   * microseconds; `undefined` when the upstream did not answer the harness's `stats` request.
   */
  readonly upstreamCpuUsPerRequest?: number | undefined;
}

/** One client's row: its figures over every run, or why it has none. */
export type ClientSummary =
  | {
      readonly id: ClientId;
      readonly label: string;
      readonly shortLabel: string;
      readonly status: 'ok';
      readonly runs: readonly MeasuredRun[];
      /** Client CPU microseconds per completed request: the headline. */
      readonly cpuUsPerRequest: Spread;
      readonly requestsPerSecond: Spread;
      readonly p50Ms: Spread;
      readonly p99Ms: Spread;
      /** Client CPU time over wall time of the measured phase (1 = one core fully busy). */
      readonly busy: Spread;
      /**
       * Upstream CPU time over wall time during the measured phase, estimated as its CPU per request
       * times the client's requests/s: near 1 means the upstream (one process) was the bottleneck.
       */
      readonly upstreamBusy: Spread | undefined;
    }
  | {
      readonly id: ClientId;
      readonly label: string;
      readonly shortLabel: string;
      readonly status: 'failed' | 'skipped';
      readonly reason: string;
    };

/** Derives the per-run figures and their median/min/max. Every run must have completed requests. */
export function summarize(
  id: ClientId,
  labels: { label: string; shortLabel: string },
  runs: readonly MeasuredRun[],
): ClientSummary {
  const usable = runs.filter((r) => r.completed > 0);
  if (usable.length === 0) return { id, ...labels, status: 'failed', reason: 'no run completed a request' };
  return {
    id,
    ...labels,
    status: 'ok',
    runs,
    cpuUsPerRequest: spread(usable.map((r) => r.cpuUs / r.completed)),
    requestsPerSecond: spread(usable.map((r) => r.completed / (r.wallMs / 1000))),
    p50Ms: spread(usable.map((r) => r.p50Ms)),
    p99Ms: spread(usable.map((r) => r.p99Ms)),
    busy: spread(usable.map((r) => r.cpuUs / (r.wallMs * 1000))),
    upstreamBusy: usable.every((r) => r.upstreamCpuUsPerRequest !== undefined)
      ? spread(usable.map((r) => (r.upstreamCpuUsPerRequest! * r.completed) / (r.wallMs * 1000)))
      : undefined,
  };
}

/** Whether a run is good enough to count: every request answered, no error, within the time bound. */
export function runProblem(run: ClientRun, requested: number): string | undefined {
  if (run.errors > 0) return `${run.errors} failed calls; first: ${run.firstError ?? 'unknown'}`;
  if (run.timedOut) return `time limit hit after ${run.completed} of ${requested} requests`;
  if (run.completed !== requested) return `${run.completed} of ${requested} requests completed`;
  return undefined;
}
