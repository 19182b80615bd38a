import { RegistryError } from '@service-caller/core';
import type { InstanceFeed, InstanceSink, OutageLog, ServiceFeed } from '@service-caller/core/adapter';
import { type ConsulApi, type HealthAnswer, requestContext } from './consul-api.js';
import { type ErrorContext, isUnreachable, toRegistryError } from './consul-error.js';
import { toInstances } from './instances.js';
import { backoffDelay, Sleeper, TokenBucket } from './pacing.js';

export interface WatchDependencies {
  readonly api: () => ConsulApi;
  readonly outage: OutageLog;
  errorContext(action: string): ErrorContext;
}

/**
 * The Consul feed of core's `InstanceCache`: keeps one service's instance list fresh with
 * Consul blocking queries, following the rules of Consul's blocking query documentation: the
 * first query asks without an index; each next one waits on the last `X-Consul-Index`; an index
 * that goes backwards starts over without one; an index below 1 is replaced by 1; and a token
 * bucket keeps a churning result from turning the loop into a busy loop. Errors back off
 * exponentially; the cache keeps the last good list meanwhile.
 */
export function consulFeed(deps: WatchDependencies): InstanceFeed {
  return (serviceName, sink) => new ConsulServiceFeed(serviceName, sink, deps);
}

class ConsulServiceFeed implements ServiceFeed {
  readonly #serviceName: string;
  readonly #sink: InstanceSink;
  readonly #deps: WatchDependencies;
  readonly #ctx = requestContext();
  readonly #sleeper = new Sleeper();
  readonly #bucket = new TokenBucket();
  #index: string | undefined;
  /** How many instances the last answer listed; `undefined` before the first. */
  #known: number | undefined;
  #stopped = false;

  constructor(serviceName: string, sink: InstanceSink, deps: WatchDependencies) {
    this.#serviceName = serviceName;
    this.#sink = sink;
    this.#deps = deps;
    void this.#run();
  }

  /** A caller waits for a first list: end a back-off sleep rather than make it wait out the delay. */
  refresh(): void {
    if (this.#known === undefined) this.#sleeper.wake();
  }

  /** Cancels the query in flight and ends the loop. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#ctx.emit('cancel');
    this.#sleeper.wake();
  }

  async #run(): Promise<void> {
    const name = this.#serviceName;
    let failures = 0;
    while (!this.#stopped) {
      let answer: HealthAnswer;
      try {
        answer = await this.#deps.api().health(name, this.#index, this.#ctx);
        if (this.#stopped) return;
        this.#accept(answer);
      } catch (err) {
        if (this.#stopped) return;
        const error =
          err instanceof RegistryError
            ? err
            : toRegistryError(err, this.#deps.errorContext(`discovering '${name}'`));
        failures += 1;
        const delay = backoffDelay(failures);
        const source = isUnreachable(err) ? 'agent' : `discovery:${name}`;
        const consequence =
          this.#known === undefined
            ? `no instances of '${name}' known yet; retrying`
            : `serving the last ${this.#known} known instance(s) of '${name}' until Consul answers again`;
        this.#deps.outage.failed(
          source,
          `${error.message}; ${consequence}`,
          `${error.message}; retrying in ${delay} ms`,
        );
        // The cache drops (and stops) a feed that never had a list and that nobody listens to.
        this.#sink.fail(error);
        if (this.#stopped) return;
        await this.#sleeper.sleep(delay);
        continue;
      }
      failures = 0;
      this.#deps.outage.recovered('agent', '[consul] the agent answers again; discovery is live');
      this.#deps.outage.recovered(`discovery:${name}`, `[consul] discovery of '${name}' works again`);
      await this.#sleeper.sleep(this.#bucket.take());
    }
  }

  #accept(answer: HealthAnswer): void {
    let list: ReturnType<typeof toInstances>;
    try {
      list = toInstances(this.#serviceName, answer.entries);
    } catch (err) {
      throw new RegistryError(
        'consul',
        `unexpected answer to the health query of '${this.#serviceName}': ${(err as Error).message}`,
      );
    }
    this.#index = nextIndex(this.#index, answer.index);
    this.#known = list.length;
    this.#sink.update(list);
  }
}

/** The `index` of the next blocking query, from the last one and the answer's `X-Consul-Index`. */
export function nextIndex(previous: string | undefined, header: string | undefined): string | undefined {
  let next: bigint;
  try {
    next = BigInt(header ?? '');
  } catch {
    return '1';
  }
  // BigInt('') is 0n: a missing header lands here too. Index 1 is always safe to wait on.
  if (next < 1n) return '1';
  if (previous !== undefined && next < BigInt(previous)) return undefined;
  return next.toString();
}
