import {
  ClosedError,
  type InstancesListener,
  type Logger,
  RegistryError,
  type ServiceInstance,
} from '@service-caller/core';
import { type ConsulApi, type HealthAnswer, requestContext } from './consul-api.js';
import { type ErrorContext, isUnreachable, toRegistryError } from './consul-error.js';
import { toInstances } from './instances.js';
import type { OutageLog } from './outage.js';
import { backoffDelay, Sleeper, TokenBucket } from './pacing.js';

export interface WatchDependencies {
  readonly api: ConsulApi;
  readonly outage: OutageLog;
  readonly logger: Logger;
  errorContext(action: string): ErrorContext;
  /** Called when a watch gives up: it never had a list and nobody listens to it. */
  abandoned(watch: ServiceWatch): void;
}

/**
 * Keeps one service's instance list fresh with Consul blocking queries, following the rules of
 * Consul's blocking query documentation: the first query asks without an index; each next one
 * waits on the last `X-Consul-Index`; an index that goes backwards starts over without one; an
 * index below 1 is replaced by 1; and a token bucket keeps a churning result from turning the
 * loop into a busy loop. Errors back off exponentially and the last good list stays in place.
 */
export class ServiceWatch {
  /** The current list; `undefined` until the first answer. Same array until the list changes. */
  instances: readonly ServiceInstance[] | undefined;
  private readonly listeners = new Set<InstancesListener>();
  private readonly ctx = requestContext();
  private readonly sleeper = new Sleeper();
  private readonly bucket = new TokenBucket();
  private index: string | undefined;
  private waiters: Array<{ resolve(list: readonly ServiceInstance[]): void; reject(error: unknown): void }> =
    [];
  private stopped = false;

  constructor(
    readonly serviceName: string,
    private readonly deps: WatchDependencies,
  ) {
    void this.run();
  }

  /** The list when known; otherwise the outcome of the next attempt, started now. */
  current(): Promise<readonly ServiceInstance[]> {
    if (this.instances) return Promise.resolve(this.instances);
    if (this.stopped) return Promise.reject(new ClosedError('consul registry'));
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      // A caller is waiting: end a back-off sleep rather than make it wait out the delay.
      this.sleeper.wake();
    });
  }

  addListener(listener: InstancesListener): void {
    this.listeners.add(listener);
  }

  removeListener(listener: InstancesListener): void {
    this.listeners.delete(listener);
  }

  /** Cancels the query in flight and ends the loop. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.ctx.emit('cancel');
    this.sleeper.wake();
    this.settle(undefined, new ClosedError('consul registry'));
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      let answer: HealthAnswer;
      try {
        answer = await this.deps.api.health(this.serviceName, this.index, this.ctx);
        if (this.stopped) return;
        this.accept(answer);
      } catch (err) {
        if (this.stopped) return;
        const error =
          err instanceof RegistryError
            ? err
            : toRegistryError(err, this.deps.errorContext(`discovering '${this.serviceName}'`));
        this.settle(undefined, error);
        if (this.instances === undefined && this.listeners.size === 0) {
          // Nobody to keep fresh: the next getInstances starts over instead of a retry loop.
          this.stopped = true;
          this.deps.abandoned(this);
          return;
        }
        failures += 1;
        const delay = backoffDelay(failures);
        const source = isUnreachable(err) ? 'agent' : `discovery:${this.serviceName}`;
        const consequence =
          this.instances === undefined
            ? `no instances of '${this.serviceName}' known yet; retrying`
            : `serving the last ${this.instances.length} known instance(s) of '${this.serviceName}' until Consul answers again`;
        this.deps.outage.failed(source, error, consequence, delay);
        await this.sleeper.sleep(delay);
        continue;
      }
      failures = 0;
      this.deps.outage.recovered('agent', `[consul] the agent answers again; discovery is live`);
      this.deps.outage.recovered(
        `discovery:${this.serviceName}`,
        `[consul] discovery of '${this.serviceName}' works again`,
      );
      await this.sleeper.sleep(this.bucket.take());
    }
  }

  private accept(answer: HealthAnswer): void {
    let list: readonly ServiceInstance[];
    try {
      list = toInstances(this.serviceName, answer.entries, this.instances);
    } catch (err) {
      throw new RegistryError(
        'consul',
        `unexpected answer to the health query of '${this.serviceName}': ${(err as Error).message}`,
      );
    }
    this.index = nextIndex(this.index, answer.index);
    const changed = list !== this.instances;
    this.instances = list;
    this.settle(list, undefined);
    if (!changed) return;
    for (const listener of [...this.listeners]) {
      try {
        listener(list);
      } catch (err) {
        this.deps.logger.error(
          `[consul] a listener of '${this.serviceName}' threw: ${(err as Error)?.message ?? String(err)}`,
          {
            registry: 'consul',
          },
        );
      }
    }
  }

  private settle(list: readonly ServiceInstance[] | undefined, error: unknown): void {
    const waiters = this.waiters;
    if (waiters.length === 0) return;
    this.waiters = [];
    for (const w of waiters) {
      if (list) w.resolve(list);
      else w.reject(error);
    }
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
