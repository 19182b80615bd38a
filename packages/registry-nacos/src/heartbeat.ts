import type { Logger } from '@service-caller/core';
import { describeOp, type InstanceSpec, type NamingApi } from './naming-api.js';
import type { OutageLog } from './outage-log.js';

/** What a heartbeat needs from its registry. */
export interface HeartbeatContext {
  readonly api: NamingApi;
  /** Until the server names its own interval. */
  readonly intervalMs: number;
  readonly outage: OutageLog;
  readonly logger: Logger;
}

/**
 * Keeps one ephemeral instance alive: a heartbeat every interval (the server's, once a beat
 * answer names one), and a fresh registration when the server says it does not know the instance
 * (it restarted, or expired the instance during an outage). Failures go to the outage log; the
 * beats go on.
 */
export class Heartbeat {
  readonly spec: InstanceSpec;
  readonly #context: HeartbeatContext;
  readonly #beat: (spec: InstanceSpec) => Promise<{ known: boolean; intervalMs?: number | undefined }>;
  #intervalMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #inFlight: Promise<void> | undefined;
  #stopped = false;

  constructor(spec: InstanceSpec, context: HeartbeatContext) {
    if (context.api.heartbeat === undefined) throw new TypeError('this naming API has no heartbeat');
    this.spec = spec;
    this.#context = context;
    this.#beat = context.api.heartbeat;
    this.#intervalMs = context.intervalMs;
    this.#schedule();
  }

  /**
   * Stops the beats and waits for one in flight, so that a beat cannot re-create the instance
   * after it was deregistered.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#inFlight;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#inFlight = this.#tick().finally(() => {
        this.#inFlight = undefined;
        this.#schedule();
      });
    }, this.#intervalMs);
    this.#timer.unref?.();
  }

  async #tick(): Promise<void> {
    const { api, outage, logger } = this.#context;
    try {
      const outcome = await this.#beat(this.spec);
      if (outcome.intervalMs !== undefined) this.#intervalMs = outcome.intervalMs;
      if (!outcome.known && !this.#stopped) {
        await api.register(this.spec);
        logger.info(`[nacos] ${describeOp('registered', this.spec)} again: the server did not know it`);
      }
      outage.succeeded();
    } catch (error) {
      outage.failed(error);
    }
  }
}
