import type { RetryBudgetOptions } from '../contracts/retry.js';

/** The budget's window: a retry is weighed against the calls of the last this-many seconds. */
const WINDOW_SECONDS = 10;

/** `RetryBudgetOptions` with every key filled in. */
export interface RetryBudgetSettings {
  readonly percent: number;
  readonly minPerSecond: number;
}

/** The budget every service has unless configured otherwise (Finagle's and Envoy's 20%). */
export const DEFAULT_RETRY_BUDGET: Readonly<Required<RetryBudgetOptions>> = Object.freeze({
  percent: 20,
  minPerSecond: 10,
});

/**
 * One service's retry budget: retries may be at most `percent` of the calls of the last ten
 * seconds, plus a floor of `minPerSecond` a second (a token bucket holding one second's worth),
 * so a service with few calls can still retry and an outage cannot multiply the load. Counts
 * live in ten one-second buckets; a call costs one increment, a retry a comparison.
 *
 * Written here rather than taken from a library (cockatiel's policies wrap every call in a
 * promise of their own): the hot path may only count.
 */
export class RetryBudget {
  readonly #ratio: number;
  readonly #floor: number;
  readonly #calls = new Float64Array(WINDOW_SECONDS);
  readonly #retries = new Float64Array(WINDOW_SECONDS);
  #second = -1;
  #callSum = 0;
  #retrySum = 0;
  #tokens: number;
  #tokensAt = 0;

  constructor(settings: RetryBudgetSettings) {
    this.#ratio = settings.percent / 100;
    this.#floor = settings.minPerSecond;
    this.#tokens = settings.minPerSecond;
  }

  /** A call started at `now` (`performance.now()`, ms). */
  deposit(now: number): void {
    const second = Math.floor(now / 1000);
    if (second !== this.#second) this.#advance(second);
    this.#calls[second % WINDOW_SECONDS]!++;
    this.#callSum++;
  }

  /** Whether a retry may go at `now`; counts it when it may. */
  tryWithdraw(now: number): boolean {
    const second = Math.floor(now / 1000);
    if (second !== this.#second) this.#advance(second);
    if (this.#retrySum + 1 > this.#ratio * this.#callSum && !this.#takeToken(now)) return false;
    this.#retries[second % WINDOW_SECONDS]!++;
    this.#retrySum++;
    return true;
  }

  /** Calls and retries in the window, at `now`. */
  window(now: number): { calls: number; retries: number } {
    const second = Math.floor(now / 1000);
    if (second !== this.#second) this.#advance(second);
    return { calls: this.#callSum, retries: this.#retrySum };
  }

  #takeToken(now: number): boolean {
    const floor = this.#floor;
    if (floor === 0) return false;
    this.#tokens = Math.min(floor, this.#tokens + ((now - this.#tokensAt) / 1000) * floor);
    this.#tokensAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens--;
    return true;
  }

  /** Drops the buckets of the seconds that left the window. */
  #advance(second: number): void {
    const gone = this.#second < 0 ? WINDOW_SECONDS : Math.min(WINDOW_SECONDS, second - this.#second);
    for (let i = 1; i <= gone; i++) {
      const slot = (this.#second + i) % WINDOW_SECONDS;
      this.#callSum -= this.#calls[slot]!;
      this.#retrySum -= this.#retries[slot]!;
      this.#calls[slot] = 0;
      this.#retries[slot] = 0;
    }
    this.#second = second;
  }
}
