import type { InstancesListener, Logger, ServiceInstance } from '@service-caller/core';
import { type InstanceList, toInstanceList } from './instances.js';
import type { NacosHost } from './naming-api.js';
import type { OutageLog } from './outage-log.js';

/** What a watch needs from its registry. */
export interface WatchContext {
  readonly list: (serviceName: string) => Promise<readonly NacosHost[]>;
  readonly intervalMs: number;
  readonly outage: OutageLog;
  readonly logger: Logger;
}

/**
 * One service's cached instance list, refreshed in the background every `intervalMs` once the
 * service was looked up. The array stays the same object until a refresh finds a different list;
 * only then do listeners hear about it. A failed refresh keeps the last good list, and so does an
 * empty answer during an outage or within 15 s after it (a restarted Nacos is empty at first).
 */
export class ServiceWatch {
  readonly serviceName: string;
  readonly #context: WatchContext;
  readonly #listeners = new Set<InstancesListener>();
  #current: InstanceList | undefined;
  #inFlight: Promise<readonly ServiceInstance[]> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  constructor(serviceName: string, context: WatchContext) {
    this.serviceName = serviceName;
    this.#context = context;
    this.#schedule();
  }

  /** The cached list, or `undefined` before the first successful load. No I/O. */
  get instances(): readonly ServiceInstance[] | undefined {
    return this.#current?.instances;
  }

  /**
   * Loads the list now, sharing a load already in flight. Rejects with the load's error; the
   * caller's `signal` only stops the caller's wait, not the shared request.
   */
  load(signal?: AbortSignal): Promise<readonly ServiceInstance[]> {
    const loading = this.#refresh();
    if (signal === undefined) return loading;
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      loading.then(
        (list) => {
          signal.removeEventListener('abort', onAbort);
          resolve(list);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }

  /** Refreshes now in the background (after this process changed the service). */
  refreshSoon(): void {
    if (this.#stopped) return;
    this.#refresh().then(
      () => this.#context.outage.succeeded(),
      (error: unknown) => this.#context.outage.failed(error),
    );
  }

  subscribe(listener: InstancesListener): () => void {
    // A wrapper per subscription: the same function subscribed twice is two subscriptions.
    const entry: InstancesListener = (list) => listener(list);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#listeners.clear();
  }

  #refresh(): Promise<readonly ServiceInstance[]> {
    this.#inFlight ??= this.#context
      .list(this.serviceName)
      .then((hosts) => this.#accept(toInstanceList(this.serviceName, hosts)))
      .finally(() => {
        this.#inFlight = undefined;
      });
    return this.#inFlight;
  }

  #accept(next: InstanceList): readonly ServiceInstance[] {
    const previous = this.#current;
    if (previous !== undefined && previous.fingerprint === next.fingerprint) return previous.instances;
    if (
      previous !== undefined &&
      previous.instances.length > 0 &&
      next.instances.length === 0 &&
      this.#context.outage.recovering
    ) {
      // A Nacos that just came back lists nothing until heartbeats re-register the instances:
      // keep calling the last known ones rather than failing every call meanwhile.
      this.#context.logger.debug(
        `[nacos] ignoring an empty list of '${this.serviceName}' right after an outage`,
      );
      return previous.instances;
    }
    this.#current = next;
    if (this.#stopped) return next.instances;
    // The first load is news to listeners only when there is something to hear.
    if (previous !== undefined || next.instances.length > 0) {
      for (const listener of [...this.#listeners]) {
        try {
          listener(next.instances);
        } catch (error) {
          this.#context.logger.error(`[nacos] a listener of '${this.serviceName}' threw`, { error });
        }
      }
    }
    return next.instances;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#refresh().then(
        () => {
          this.#context.outage.succeeded();
          this.#schedule();
        },
        (error: unknown) => {
          this.#context.outage.failed(error);
          this.#schedule();
        },
      );
    }, this.#context.intervalMs);
    // Background refreshes never keep the process alive.
    this.#timer.unref?.();
  }
}
