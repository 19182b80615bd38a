import type { ServiceInstance } from './instance.js';

/**
 * What the engine knows right now, read-only: for each service it has called, its instances with
 * their health and recent figures. Made when asked for (`engine.snapshot()`,
 * `manager.snapshot()`); keeping it costs a few counters per attempt. Admin pages and tools
 * build on it.
 */
export interface EngineSnapshot {
  /** `Date.now()` when the snapshot was taken. */
  readonly takenAt: number;
  /** Calls in flight in the whole engine. */
  readonly inFlight: number;
  /** The services the engine has called, by name. */
  readonly services: readonly ServiceSnapshot[];
}

/** One service as the engine sees it. */
export interface ServiceSnapshot {
  readonly serviceName: string;
  /** Calls made since the engine started (each counted once, however many attempts it took). */
  readonly calls: number;
  /** Retries and hedged attempts made. */
  readonly retries: number;
  /** Retries the retry budget refused. */
  readonly retriesRefused: number;
  /** Instances ejected right now. */
  readonly ejected: number;
  /**
   * The instances: those the registry lists now (from its cache), then any others the engine
   * still has figures for (an instance that left the list recently).
   */
  readonly instances: readonly InstanceSnapshot[];
}

/** Figures over the last minute (six 10-second buckets, the current one included). */
export interface RecentFigures {
  readonly attempts: number;
  readonly failures: number;
  /** `failures / attempts`, 0 when there were no attempts. */
  readonly errorRate: number;
  /** Mean attempt latency in milliseconds, `undefined` when there were no attempts. */
  readonly meanLatencyMs: number | undefined;
  /** Longest attempt latency in milliseconds, `undefined` when there were no attempts. */
  readonly maxLatencyMs: number | undefined;
}

/** One instance as the engine sees it. */
export interface InstanceSnapshot {
  /** The instance as the registry last listed it (or as the last attempt found it). */
  readonly instance: ServiceInstance;
  /** Whether the registry lists it now. */
  readonly listed: boolean;
  /** Attempts in flight on it. */
  readonly inFlight: number;
  /** Attempts since the engine started. */
  readonly attempts: number;
  /** Failed attempts since the engine started (connect failures, resets, timeouts, 5xx). */
  readonly failures: number;
  /** Failures in a row now. */
  readonly consecutiveFailures: number;
  readonly recent: RecentFigures;
  /** The kind of the last failure (`connect-failure`, `reset`, `timeout`, `status`) and when (`Date.now()`). */
  readonly lastFailure: { readonly kind: string; readonly at: number } | undefined;
  readonly ejection: {
    /** Whether calls avoid it now. */
    readonly ejected: boolean;
    /** `Date.now()` when it comes back, while ejected. */
    readonly until: number | undefined;
    /** Times it has been ejected. */
    readonly ejections: number;
  };
}
