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

/** The first retry after a failed beat; each further failure doubles it, up to {@link MAX_RETRY_MS}. */
const FIRST_RETRY_MS = 500;
/** The longest wait between beats while they fail (never longer than the interval itself). */
const MAX_RETRY_MS = 2000;

/**
 * Keeps one ephemeral instance alive: a heartbeat every interval (the server's, once a beat
 * answer names one), and a fresh registration when the server says it does not know the instance
 * (it restarted, or expired the instance during an outage). Failures go to the outage log; the
 * beats go on, sooner while they fail (0.5 s, 1 s, then every 2 s, never past the interval): a
 * Nacos member forwards a v1 beat to the member responsible for the instance, and while a dead
 * responsible member is still in the others' member list those forwards fail. The server marks an
 * instance unhealthy 15 s after its last good beat; at the 5 s interval two failed beats and a
 * late member-list change were enough to get there (a 3.0.3 cluster in CI: its one instance
 * unhealthy for 4.5 s). Retrying sooner lands the first beat the new responsible member takes.
 */
export class Heartbeat {
  readonly spec: InstanceSpec;
  readonly #context: HeartbeatContext;
  readonly #beat: (spec: InstanceSpec) => Promise<{ known: boolean; intervalMs?: number | undefined }>;
  #intervalMs: number;
  /** Beats failed in a row. */
  #failures = 0;
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
      () => this.#nextDelayMs(),
    );
  }

  /**
   * Stops the beats and waits for one in flight, so that a beat cannot re-create the instance
   * after it was deregistered.
   */
  stop(): Promise<void> {
    return this.#loop.stop();
  }

  #nextDelayMs(): number {
    if (this.#failures === 0) return this.#intervalMs;
    return Math.min(this.#intervalMs, MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (this.#failures - 1));
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
      this.#failures = 0;
      outage.succeeded();
    } catch (error) {
      this.#failures++;
      outage.failed(error);
    }
  }
}
