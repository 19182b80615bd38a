import type { Logger } from '@service-caller/core';
import { describeOp, type InstanceSpec } from './naming-api.js';
import { TimedLoop } from './timed-loop.js';

/** First wait before trying again; doubles per failure up to {@link MAX_DELAY_MS}. */
const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 30_000;

/** What a background registration needs from its registry. */
export interface BackgroundRegistrationContext {
  /** One registration attempt; rejects when Nacos did not accept it. */
  readonly register: () => Promise<void>;
  /** Whether trying again can help (a refused login or a bad request never gets better). */
  readonly retriable: (error: unknown) => boolean;
  /** Called once, after the attempt that succeeded. */
  readonly onRegistered: () => void;
  readonly logger: Logger;
}

/**
 * Registers one instance in the background for `registration: 'background'`, as the Python
 * library does at start-up: after a first attempt failed, it tries again with back-off (1 s,
 * doubling up to 30 s, with jitter so a fleet restarted together does not knock in step) until
 * Nacos accepts the instance. One warning when it starts waiting, one info line when it is done;
 * an error that no retry can fix (a refused login) is logged as an error and ends the attempts.
 */
export class BackgroundRegistration {
  readonly spec: InstanceSpec;
  readonly #context: BackgroundRegistrationContext;
  readonly #startedAt = performance.now();
  #attempts = 1;
  readonly #loop: TimedLoop;
  #registered = false;

  /** Starts retrying; `firstError` is why the first attempt (made by the caller) failed. */
  constructor(spec: InstanceSpec, firstError: unknown, context: BackgroundRegistrationContext) {
    this.spec = spec;
    this.#context = context;
    context.logger.warn(
      `[nacos] ${describeOp('register', spec)}: ${messageOf(firstError)}; going on without it and registering in the background (retrying with back-off up to ${MAX_DELAY_MS / 1000} s)`,
    );
    this.#loop = new TimedLoop(
      () => this.#attempt(),
      () => backoff(this.#attempts),
    );
  }

  /** Whether Nacos accepted the instance. */
  get registered(): boolean {
    return this.#registered;
  }

  /** Stops retrying and waits for an attempt in flight; `registered` then says whether it got in. */
  stop(): Promise<void> {
    return this.#loop.stop();
  }

  async #attempt(): Promise<'again' | 'done'> {
    this.#attempts++;
    const { logger } = this.#context;
    try {
      await this.#context.register();
    } catch (error) {
      if (!this.#context.retriable(error)) {
        logger.error(
          `[nacos] ${describeOp('register', this.spec)}: ${messageOf(error)}; no more attempts (trying again cannot fix this)`,
        );
        return 'done';
      }
      logger.debug(
        `[nacos] ${describeOp('register', this.spec)}, attempt ${this.#attempts}: ${messageOf(error)}`,
      );
      return 'again';
    }
    this.#registered = true;
    const seconds = ((performance.now() - this.#startedAt) / 1000).toFixed(1);
    logger.info(
      `[nacos] ${describeOp('registered', this.spec)} in the background, attempt ${this.#attempts}, after ${seconds} s`,
    );
    // Stopped while this attempt was out: the registry deregisters it; start nothing.
    if (!this.#loop.stopped) this.#context.onRegistered();
    return 'done';
  }
}

/** 1 s, 2 s, 4 s ... 30 s, each within ±20 %. */
function backoff(attempt: number): number {
  const base = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (attempt - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/^\[nacos\] /, '');
}
