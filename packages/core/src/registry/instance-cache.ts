import type { InstancesListener } from '../contracts/discovery.js';
import type { ServiceInstance } from '../contracts/instance.js';
import type { Logger } from '../contracts/logger.js';
import { ClosedError } from '../errors/index.js';
import type { OutageLog } from './outage-log.js';
import { reconcileInstances } from './reconcile-instances.js';

/** Where a feed delivers what it learned about one service. */
export interface InstanceSink {
  /**
   * The service's instances as the registry has them now, in any order (the cache sorts them by
   * id, keeps the objects of unchanged instances, and keeps the same array while nothing changed).
   * Give only the instances a caller may call: filter by health, state, weight and cluster first.
   */
  update(instances: readonly ServiceInstance[]): void;
  /** The feed could not learn the list. Rejects a first lookup that waits; a list held stays. */
  fail(error: unknown): void;
}

/** One service being kept fresh by a feed. */
export interface ServiceFeed {
  /** Stops the background work for this service (timers, subscriptions, queries in flight). */
  stop(): void;
  /**
   * Asks for a fresh list soon: a caller waits for a first list, or this process registered or
   * deregistered an instance of the service. A push-based feed may leave it out.
   */
  refresh?(): void;
}

/**
 * How a registry keeps one service fresh: a poll loop, a blocking query, a subscription with
 * server pushes. Called once per service, when the service is first looked up or subscribed to;
 * the feed starts at once and reports to `sink` until `stop()`.
 */
export type InstanceFeed = (serviceName: string, sink: InstanceSink) => ServiceFeed;

/**
 * When an empty list is not believed while the cache holds instances:
 * - `after-outage`: while the registry's {@link OutageLog} says it is recovering (an outage, or
 *   a server restart seen, and 15 s after it): a server that came back lists nothing until its
 *   clients re-registered.
 * - `always`: never (the official Nacos Go and Rust clients' push-empty protection): a service
 *   whose every instance left keeps its last list; calls fail on connection instead.
 * - `off`: an empty list is always believed.
 */
export type EmptyListProtection = 'off' | 'after-outage' | 'always';

/** Options of {@link InstanceCache}. */
export interface InstanceCacheOptions {
  /** The registry's short name, for errors and log lines (`nacos`). */
  readonly registry: string;
  /** Starts the background work that keeps one service fresh. */
  readonly feed: InstanceFeed;
  /** Where a listener's throw and a disbelieved empty list are reported. */
  readonly logger: Logger;
  /** The registry's outage log, which `after-outage` protection consults. */
  readonly outage?: OutageLog;
  /**
   * A fixed protection, or a function asked at each empty list (an adapter whose protocol, and
   * so its default, is known only after it asked the server).
   * @default 'after-outage' with an `outage`, else 'off'
   */
  readonly emptyListProtection?: EmptyListProtection | (() => EmptyListProtection) | undefined;
}

interface Entry {
  readonly serviceName: string;
  instances: readonly ServiceInstance[] | undefined;
  readonly listeners: Set<InstancesListener>;
  waiters: { resolve(list: readonly ServiceInstance[]): void; reject(error: unknown): void }[];
  feed: ServiceFeed | undefined;
}

/**
 * The instance cache every registry adapter shares: one entry per service looked up, kept fresh
 * by the adapter's feed, answering the discovery contract the engine relies on:
 * - `get` answers from memory (no I/O); the array stays the same object until the list really
 *   changes, and unchanged instances keep their objects (balancers key their state on both);
 * - listeners hear real changes only (and a first list only when it has instances);
 * - a failed refresh keeps the last good list;
 * - an empty list is not believed when the protection says so (see {@link EmptyListProtection}).
 *
 * A service whose first lookup failed, and that nobody subscribed to, is dropped: the next
 * lookup starts over instead of a feed retrying in the background for nobody.
 *
 * @example
 * ```ts
 * const outage = new OutageLog({ logger, registry: 'my' });
 * const cache = new InstanceCache({
 *   registry: 'my', logger, outage,
 *   feed: pollingFeed({ intervalMs: 5000, list: (name) => client.list(name), outage, ... }),
 * });
 * const instances = cache.get('users') ?? (await cache.load('users'));
 * ```
 */
export class InstanceCache {
  readonly #options: InstanceCacheOptions;
  readonly #protection: EmptyListProtection | (() => EmptyListProtection);
  readonly #entries = new Map<string, Entry>();
  #closed = false;

  constructor(options: InstanceCacheOptions) {
    this.#options = options;
    this.#protection = options.emptyListProtection ?? (options.outage === undefined ? 'off' : 'after-outage');
  }

  /** The cached list of `serviceName`, or `undefined` before its first list. No I/O. */
  get(serviceName: string): readonly ServiceInstance[] | undefined {
    return this.#entries.get(serviceName)?.instances;
  }

  /** The services with an entry (looked up or subscribed to). */
  services(): IterableIterator<string> {
    return this.#entries.keys();
  }

  /**
   * The list of `serviceName`: the cached one, or the feed's first answer (starting the feed
   * when the service is new). Rejects with the feed's failure when there is no list yet; the
   * caller's `signal` ends only the caller's wait, not the feed.
   */
  load(serviceName: string, signal?: AbortSignal): Promise<readonly ServiceInstance[]> {
    if (this.#closed) return Promise.reject(new ClosedError(`${this.#options.registry} registry`));
    const entry = this.#entry(serviceName);
    if (entry.instances !== undefined) return Promise.resolve(entry.instances);
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        entry.waiters = entry.waiters.filter((w) => w !== waiter);
        reject(signal!.reason);
      };
      const waiter = {
        resolve: (list: readonly ServiceInstance[]) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(list);
        },
        reject: (error: unknown) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      entry.waiters.push(waiter);
      entry.feed?.refresh?.();
    });
  }

  /**
   * Calls `listener` with each real change of the list of `serviceName`, starting the feed when
   * the service is new. The same function subscribed twice is two subscriptions. Returns the
   * function that stops listening.
   */
  subscribe(serviceName: string, listener: InstancesListener): () => void {
    if (this.#closed) throw new ClosedError(`${this.#options.registry} registry`);
    const entry = this.#entry(serviceName);
    const wrapper: InstancesListener = (list) => listener(list);
    entry.listeners.add(wrapper);
    return () => {
      entry.listeners.delete(wrapper);
    };
  }

  /** Asks the feed of `serviceName`, if it has one, for a fresh list soon. */
  refresh(serviceName: string): void {
    this.#entries.get(serviceName)?.feed?.refresh?.();
  }

  /** Stops every feed and rejects waiting lookups with `ClosedError`. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const entry of this.#entries.values()) {
      entry.feed?.stop();
      entry.feed = undefined;
      entry.listeners.clear();
      this.#settle(entry, undefined, new ClosedError(`${this.#options.registry} registry`));
    }
  }

  #entry(serviceName: string): Entry {
    let entry = this.#entries.get(serviceName);
    if (entry !== undefined) return entry;
    const created: Entry = {
      serviceName,
      instances: undefined,
      listeners: new Set(),
      waiters: [],
      feed: undefined,
    };
    entry = created;
    this.#entries.set(serviceName, created);
    const live = () => this.#entries.get(serviceName) === created && !this.#closed;
    created.feed = this.#options.feed(serviceName, {
      update: (instances) => {
        if (live()) this.#accept(created, instances);
      },
      fail: (error) => {
        if (live()) this.#fail(created, error);
      },
    });
    // A feed that reported synchronously and was dropped for it.
    if (!live()) created.feed.stop();
    return created;
  }

  #accept(entry: Entry, incoming: readonly ServiceInstance[]): void {
    const previous = entry.instances;
    const next = reconcileInstances(previous, incoming);
    if (next !== previous && this.#disbelieve(previous, next)) {
      this.#options.logger.debug(
        `[${this.#options.registry}] ignoring an empty list of '${entry.serviceName}' (empty-list protection: ${this.#protectionNow()})`,
        { registry: this.#options.registry },
      );
      this.#settle(entry, previous, undefined);
      return;
    }
    entry.instances = next;
    this.#settle(entry, next, undefined);
    if (next === previous) return;
    // The first list is news to listeners only when there is something to hear.
    if (previous === undefined && next.length === 0) return;
    for (const listener of [...entry.listeners]) {
      try {
        listener(next);
      } catch (error) {
        this.#options.logger.error(
          `[${this.#options.registry}] a listener of '${entry.serviceName}' threw: ${error instanceof Error ? error.message : String(error)}`,
          { registry: this.#options.registry, error },
        );
      }
    }
  }

  #disbelieve(previous: readonly ServiceInstance[] | undefined, next: readonly ServiceInstance[]): boolean {
    if (previous === undefined || previous.length === 0 || next.length > 0) return false;
    const protection = this.#protectionNow();
    if (protection === 'always') return true;
    return protection === 'after-outage' && this.#options.outage?.recovering === true;
  }

  #protectionNow(): EmptyListProtection {
    return typeof this.#protection === 'function' ? this.#protection() : this.#protection;
  }

  #fail(entry: Entry, error: unknown): void {
    this.#settle(entry, undefined, error);
    if (entry.instances === undefined && entry.listeners.size === 0) {
      entry.feed?.stop();
      entry.feed = undefined;
      this.#entries.delete(entry.serviceName);
    }
  }

  #settle(entry: Entry, list: readonly ServiceInstance[] | undefined, error: unknown): void {
    const waiters = entry.waiters;
    if (waiters.length === 0) return;
    entry.waiters = [];
    for (const waiter of waiters) {
      if (list !== undefined) waiter.resolve(list);
      else waiter.reject(error);
    }
  }
}
