import type { Logger } from '@service-caller/core';
import { OutageLog } from '@service-caller/core/adapter';

/**
 * The Nacos side of core's {@link OutageLog}: one source (the server list), Nacos's wording.
 * Background work (refreshes, heartbeats, the gRPC connection) reports here; calls that a user
 * awaits reject instead. What an outage is, and the 15 s hold after it that keeps an empty list
 * from being believed, is core's (two failures in a row, or a server restart seen).
 */
export class NacosOutage {
  /** The shared log, which the instance cache asks whether an empty list is believable. */
  readonly log: OutageLog;
  readonly #where: string;

  constructor(logger: Logger, where: string, options: { now?: () => number; holdMs?: number } = {}) {
    this.log = new OutageLog({
      logger,
      registry: 'nacos',
      ...(options.now === undefined ? {} : { now: options.now }),
      ...(options.holdMs === undefined ? {} : { recoveryHoldMs: options.holdMs }),
    });
    this.#where = where;
  }

  /** Whether the last background operation failed. */
  get down(): boolean {
    return this.log.down;
  }

  failed(error: unknown): void {
    const reason = (error instanceof Error ? error.message : String(error)).replace(/^\[nacos\] /, '');
    this.log.failed(
      'server',
      `[nacos] ${this.#where} fails (${reason}); serving the last known instances and retrying in the background`,
      `[nacos] still failing: ${reason}`,
    );
  }

  succeeded(): void {
    this.log.recovered(
      'server',
      (ms) => `[nacos] ${this.#where} answers again after ${Math.round(ms / 1000)} s`,
    );
  }

  /** The server lost this client's instances (it restarted, or a new connection): hold empty lists. */
  restarted(): void {
    this.log.restarted();
  }
}
