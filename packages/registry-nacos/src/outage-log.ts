import type { Logger } from '@service-caller/core';

/**
 * Logs background failures once per outage, not once per refresh or heartbeat: the first failure
 * after a success is a warning, further failures are debug lines, and the first success after a
 * failure is one info line. Background work (refreshes, heartbeats) reports here; calls that a
 * user awaits reject instead.
 */
export class OutageLog {
  readonly #logger: Logger;
  readonly #where: string;
  #down = false;
  #since = 0;

  constructor(logger: Logger, where: string) {
    this.#logger = logger;
    this.#where = where;
  }

  /** Whether the last background operation failed. */
  get down(): boolean {
    return this.#down;
  }

  failed(error: unknown): void {
    const reason = (error instanceof Error ? error.message : String(error)).replace(/^\[nacos\] /, '');
    if (this.#down) {
      this.#logger.debug(`[nacos] still failing: ${reason}`);
      return;
    }
    this.#down = true;
    this.#since = Date.now();
    this.#logger.warn(
      `[nacos] ${this.#where} fails (${reason}); serving the last known instances and retrying in the background`,
    );
  }

  succeeded(): void {
    if (!this.#down) return;
    this.#down = false;
    const seconds = Math.round((Date.now() - this.#since) / 1000);
    this.#logger.info(`[nacos] ${this.#where} answers again after ${seconds} s`);
  }
}
