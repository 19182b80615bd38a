import type { Logger } from '@service-caller/core';
import { describeOp, type InstanceSpec, type NamingApi } from './naming-api.js';
import type { NacosOutage } from './outage-log.js';
import { TimedLoop } from './timed-loop.js';

/** What a heartbeat needs from its registry. */
export interface HeartbeatContext {
  readonly api: NamingApi;
  /** Until the server names its own interval. */
  readonly intervalMs: number;
  readonly outage: NacosOutage;
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
  readonly #loop: TimedLoop;

  constructor(spec: InstanceSpec, context: HeartbeatContext) {
    if (context.api.heartbeat === undefined) throw new TypeError('this naming API has no heartbeat');
    this.spec = spec;
    this.#context = context;
    this.#beat = context.api.heartbeat;
    this.#intervalMs = context.intervalMs;
    this.#loop = new TimedLoop(
      async () => {
        await this.#tick();
        return 'again';
      },
      () => this.#intervalMs,
    );
  }

  /**
   * Stops the beats and waits for one in flight, so that a beat cannot re-create the instance
   * after it was deregistered.
   */
  stop(): Promise<void> {
    return this.#loop.stop();
  }

  async #tick(): Promise<void> {
    const { api, outage, logger } = this.#context;
    try {
      const outcome = await this.#beat(this.spec);
      if (outcome.intervalMs !== undefined) this.#intervalMs = outcome.intervalMs;
      if (!outcome.known && !this.#loop.stopped) {
        // The server lost its state: the lists it answers are empty until everyone re-registered.
        outage.restarted();
        await api.register(this.spec);
        logger.info(`[nacos] ${describeOp('registered', this.spec)} again: the server did not know it`);
      }
      outage.succeeded();
    } catch (error) {
      outage.failed(error);
    }
  }
}
