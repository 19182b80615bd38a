import type { Pick } from '../contracts/balancer.js';
import type { CallAttempt } from '../contracts/context.js';
import type { ServiceInstance } from '../contracts/instance.js';
import type { AbortHook, AbortHookListener, OutgoingHeaders } from '../contracts/transport.js';
import type { InstanceHealth } from './instance-health.js';

/**
 * The engine's `CallAttempt`: made when the instance has been picked, ended once with the
 * outcome. It doubles as the `AttemptOutcome` the pick's `done()` receives, so reporting an
 * attempt costs no object beyond this one. Besides the contract's fields it carries what the
 * engine needs to end the attempt: the pick, the instance's health, and, when the attempt has a
 * bound or a hedge of its own, its abort controller and timer.
 * @internal
 */
export class AttemptRecord implements CallAttempt, AbortHookListener {
  readonly number: number;
  readonly kind: 'first' | 'retry' | 'hedge';
  readonly instance: ServiceInstance;
  readonly url: string;
  readonly startTime: number;
  readonly headers: OutgoingHeaders;
  readonly pick: Pick;
  readonly health: InstanceHealth;
  status: number | undefined = undefined;
  error: unknown = undefined;
  endTime: number | undefined = undefined;
  latencyMs: number | undefined = undefined;
  /** Aborts this attempt alone (its per-try timeout, or a hedge that lost); `undefined` when it has none. */
  controller: AbortController | undefined = undefined;
  /** The per-try timeout's timer, while it runs. */
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** Passes the caller's abort on to `controller` (a call without a deadline); registered on its signal while the attempt runs. */
  unlink: (() => void) | undefined = undefined;
  /** The call's deadline while `controller` listens to it (the record is its listener). */
  listening: AbortHook | undefined = undefined;

  constructor(
    number: number,
    kind: 'first' | 'retry' | 'hedge',
    pick: Pick,
    health: InstanceHealth,
    url: string,
    headers: OutgoingHeaders,
  ) {
    this.number = number;
    this.kind = kind;
    this.pick = pick;
    this.instance = pick.instance;
    this.health = health;
    this.url = url;
    this.headers = headers;
    this.startTime = performance.now();
  }

  /** The call's deadline aborted: so is this attempt. */
  handleAbort(reason: unknown): void {
    this.controller?.abort(reason);
  }

  /** Whether the outcome is known. */
  get ended(): boolean {
    return this.latencyMs !== undefined;
  }

  /**
   * Records the outcome (see `AttemptOutcome` for what `error` holds) at `endTime`: a clock
   * reading the caller already has (a clock read costs tens of nanoseconds), else now.
   */
  end(status: number | undefined, error: unknown, endTime = performance.now()): void {
    this.status = status;
    this.error = error;
    this.endTime = endTime;
    this.latencyMs = endTime - this.startTime;
  }
}
