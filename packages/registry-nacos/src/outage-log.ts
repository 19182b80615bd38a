import type { Logger } from '@service-caller/core';

/**
 * How long after an outage an empty instance list is not believed: a restarted Nacos answers
 * empty until the instances' next heartbeats re-register them (5 s apart by default; Nacos
 * itself marks an instance unhealthy after 15 s without one).
 */
export const RECOVERY_GRACE_MS = 15_000;

/**
 * Logs background failures once per outage, not once per refresh or heartbeat: the first failure
 * after a success is a warning, further failures are debug lines, and the first success after a
 * failure is one info line. Background work (refreshes, heartbeats) reports here; calls that a
 * user awaits reject instead.
 */
export class OutageLog {
  readonly #logger: Logger;
  readonly #where: string;
  readonly #now: () => number;
  #down = false;
  #since = 0;
  #recoveredAt = Number.NEGATIVE_INFINITY;

  constructor(logger: Logger, where: string, now: () => number = Date.now) {
    this.#logger = logger;
    this.#where = where;
    this.#now = now;
  }

  /** Whether the last background operation failed. */
  get down(): boolean {
    return this.#down;
  }

  /**
   * Whether Nacos is down or came back less than {@link RECOVERY_GRACE_MS} ago: while this holds,
   * an empty list is more likely a restarted server than a service without instances.
   */
  get recovering(): boolean {
    return this.#down || this.#now() - this.#recoveredAt < RECOVERY_GRACE_MS;
  }

  failed(error: unknown): void {
    const reason = (error instanceof Error ? error.message : String(error)).replace(/^\[nacos\] /, '');
    if (this.#down) {
      this.#logger.debug(`[nacos] still failing: ${reason}`);
      return;
    }
    this.#down = true;
    this.#since = this.#now();
    this.#logger.warn(
      `[nacos] ${this.#where} fails (${reason}); serving the last known instances and retrying in the background`,
    );
  }

  succeeded(): void {
    if (!this.#down) return;
    this.#down = false;
    this.#recoveredAt = this.#now();
    const seconds = Math.round((this.#recoveredAt - this.#since) / 1000);
    this.#logger.info(`[nacos] ${this.#where} answers again after ${seconds} s`);
  }
}
