import type { ServiceInstance } from '../contracts/instance.js';
import type { InstanceFeed, InstanceSink, ServiceFeed } from './instance-cache.js';

/** Options of {@link pollingFeed}. */
export interface PollingFeedOptions {
  /** Asks the registry for the instances of `serviceName` (callable ones only, in any order). */
  readonly list: (serviceName: string) => Promise<readonly ServiceInstance[]>;
  /** Milliseconds between two lists of one service. */
  readonly intervalMs: number;
  /** Called after each list that succeeded (to end an outage in the outage log). */
  readonly succeeded?: (serviceName: string) => void;
  /** Called after each list that failed (to log it in the outage log). */
  readonly failed?: (serviceName: string, error: unknown) => void;
}

/**
 * An {@link InstanceFeed} that lists each service at once, then every `intervalMs`, one request
 * at a time per service (`refresh()` joins one in flight or starts one now). Its timers never keep
 * the process alive.
 *
 * @example
 * ```ts
 * const feed = pollingFeed({ intervalMs: 5000, list: (name) => api.list(name) });
 * const cache = new InstanceCache({ registry: 'my', feed, logger });
 * ```
 */
export function pollingFeed(options: PollingFeedOptions): InstanceFeed {
  return (serviceName, sink) => new PollingService(serviceName, sink, options);
}

class PollingService implements ServiceFeed {
  readonly #serviceName: string;
  readonly #sink: InstanceSink;
  readonly #options: PollingFeedOptions;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #inFlight: Promise<void> | undefined;
  #stopped = false;

  constructor(serviceName: string, sink: InstanceSink, options: PollingFeedOptions) {
    this.#serviceName = serviceName;
    this.#sink = sink;
    this.#options = options;
    this.refresh();
  }

  refresh(): void {
    if (this.#stopped || this.#inFlight !== undefined) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const { list, succeeded, failed } = this.#options;
    // The list in flight is over before its outcome is reported: a `refresh()` from a listener
    // or a waiter starts the next one instead of joining this finished one.
    const done = () => {
      this.#inFlight = undefined;
      this.#schedule();
      return !this.#stopped;
    };
    this.#inFlight = list(this.#serviceName).then(
      (instances) => {
        if (!done()) return;
        succeeded?.(this.#serviceName);
        this.#sink.update(instances);
      },
      (error: unknown) => {
        if (!done()) return;
        failed?.(this.#serviceName, error);
        this.#sink.fail(error);
      },
    );
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    if (this.#stopped || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.refresh();
    }, this.#options.intervalMs);
    // Background refreshes never keep the process alive.
    this.#timer.unref?.();
  }
}
