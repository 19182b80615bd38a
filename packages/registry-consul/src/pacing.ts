/**
 * Timing of the background loops: back-off after errors, and the rate limit Consul's blocking
 * query documentation asks for (a token bucket with a burst of 2, so quick successive changes go
 * through at once and a churning result degrades to polling instead of a busy loop).
 */

/** Delay before retry number `attempt` (1-based): exponential from 250 ms to 30 s, with jitter. */
export function backoffDelay(attempt: number, minMs = 250, maxMs = 30_000): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(attempt - 1, 20));
  // Between half and all of the ceiling: clients that failed together do not retry together.
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

/** Token bucket: `burst` requests at once, then one per `refillMs`. */
export class TokenBucket {
  private tokens: number;
  private last = performance.now();

  constructor(
    private readonly burst = 2,
    private readonly refillMs = 1000,
  ) {
    this.tokens = burst;
  }

  /** Takes a token; returns how long to wait before using it (0 when one was there). */
  take(): number {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + (now - this.last) / this.refillMs);
    this.last = now;
    this.tokens -= 1;
    // A debt is paid by waiting; the caller waits before it takes again.
    return this.tokens >= 0 ? 0 : Math.ceil(-this.tokens * this.refillMs);
  }
}

/** A sleep that `wake()` can end early (on close, or when a caller wants an answer now). */
export class Sleeper {
  private pending: { timer: NodeJS.Timeout; resolve: () => void } | undefined;

  sleep(ms: number): Promise<void> {
    this.wake();
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        resolve();
      }, ms);
      // A sleeping background loop must not keep the process alive on its own.
      timer.unref();
      this.pending = { timer, resolve };
    });
  }

  wake(): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    clearTimeout(pending.timer);
    pending.resolve();
  }
}
