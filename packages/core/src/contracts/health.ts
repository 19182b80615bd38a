import type { ServiceInstance } from './instance.js';

/**
 * Passive health checking (outlier ejection): the engine watches every attempt's outcome per
 * instance and ejects an instance that keeps failing (connect failures, resets, timeouts, 5xx)
 * from its service's list for a while, so calls stop going there although the registry still
 * lists it. At most `maxEjectionPercent` of a service is ejected at once; when every instance
 * would be out, all are used (panic) rather than none. An instance comes back after its time; it
 * is ejected again at its first failure, for longer each time.
 */
export interface OutlierEjectionOptions {
  /** Consecutive failures that eject an instance. @default 5 */
  consecutiveFailures?: number;
  /** A refused connection (certain evidence that nothing listens) ejects at once. @default true */
  ejectOnConnectFailure?: boolean;
  /** Milliseconds: the first ejection's length; the n-th lasts n times as long. @default 30000 */
  baseEjectionTime?: number;
  /** Milliseconds: no ejection lasts longer. @default 300000 */
  maxEjectionTime?: number;
  /** The largest share of a service's instances ejected at once, 0-100 (at least one is always allowed). @default 50 */
  maxEjectionPercent?: number;
}

/** Why an instance was ejected. */
export type EjectionReason =
  /** `consecutiveFailures` failures in a row. */
  | 'consecutive-failures'
  /** A refused connection, with `ejectOnConnectFailure`. */
  | 'connect-failure'
  /** It failed again right after coming back. */
  | 'failed-on-return';

/**
 * An instance left or rejoined its service's list. Interceptors receive it through
 * `onEjection` (a metrics package counts them); the engine's `snapshot()` shows the state.
 */
export interface EjectionEvent {
  /** `ejected`: calls stop going to the instance; `returned`: its time is over, calls go there again. */
  readonly type: 'ejected' | 'returned';
  readonly serviceName: string;
  readonly instance: ServiceInstance;
  /** Why it was ejected (for `returned`, why it had been). */
  readonly reason: EjectionReason;
  /** Failures in a row when the event happened. */
  readonly consecutiveFailures: number;
  /** How many times the instance has been ejected, this time included. */
  readonly ejections: number;
  /** Milliseconds the ejection lasts (`ejected`) or lasted (`returned`). */
  readonly durationMs: number;
  /** `Date.now()` of the event. */
  readonly at: number;
}
