import type { InstanceFeed, InstanceSink, ServiceFeed } from '@service-caller/core/adapter';
import { pollingFeed } from '@service-caller/core/adapter';
import { toInstances } from './instances.js';
import type { NamingApi } from './naming-api.js';
import type { NacosOutage } from './outage-log.js';

/** What the feed needs from its registry. */
export interface NacosFeedContext {
  readonly api: NamingApi;
  /** Between two polls of one service, and between two tries to learn the protocol. */
  readonly intervalMs: number;
  /** The only cluster listed; `undefined`: every cluster. */
  readonly listCluster: string | undefined;
  readonly outage: NacosOutage;
}

/**
 * How registry-nacos keeps one service fresh for core's `InstanceCache`: once the protocol is
 * known (`auto` asks the server first), a subscription with server pushes where the protocol has
 * them (gRPC), a poll every `intervalMs` otherwise (HTTP v1 and v3, the npm client). Either way
 * the hosts become callable instances here, and polls report to the outage log.
 */
export function nacosFeed(context: NacosFeedContext): InstanceFeed {
  const { intervalMs, listCluster, outage } = context;
  const poll = pollingFeed({
    intervalMs,
    list: async (name) => toInstances(name, await context.api.list(name), listCluster),
    succeeded: () => outage.succeeded(),
    failed: (_name, error) => outage.failed(error),
  });
  return (serviceName, sink) => new NacosServiceFeed(serviceName, sink, context, poll);
}

class NacosServiceFeed implements ServiceFeed {
  readonly #serviceName: string;
  readonly #sink: InstanceSink;
  readonly #context: NacosFeedContext;
  readonly #poll: InstanceFeed;
  #inner: ServiceFeed | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  constructor(serviceName: string, sink: InstanceSink, context: NacosFeedContext, poll: InstanceFeed) {
    this.#serviceName = serviceName;
    this.#sink = sink;
    this.#context = context;
    this.#poll = poll;
    this.#start();
  }

  refresh(): void {
    if (this.#inner !== undefined) this.#inner.refresh?.();
    else if (this.#retry !== undefined) {
      clearTimeout(this.#retry);
      this.#retry = undefined;
      this.#start();
    }
  }

  stop(): void {
    this.#stopped = true;
    if (this.#retry !== undefined) clearTimeout(this.#retry);
    this.#inner?.stop();
  }

  #start(): void {
    const { api } = this.#context;
    const resolving = api.resolve === undefined ? Promise.resolve(api) : api.resolve();
    resolving.then(
      (resolved) => {
        if (this.#stopped) return;
        this.#inner =
          resolved.subscribe === undefined ? this.#poll(this.#serviceName, this.#sink) : this.#push(resolved);
      },
      (error: unknown) => {
        if (this.#stopped) return;
        this.#context.outage.failed(error);
        this.#sink.fail(error);
        // Still wanted (someone listens, or a list is held): ask again later.
        if (this.#stopped) return;
        this.#retry = setTimeout(() => {
          this.#retry = undefined;
          this.#start();
        }, this.#context.intervalMs);
        this.#retry.unref?.();
      },
    );
  }

  #push(api: NamingApi): ServiceFeed {
    const { listCluster } = this.#context;
    return api.subscribe!(this.#serviceName, {
      update: (hosts) => this.#sink.update(toInstances(this.#serviceName, hosts, listCluster)),
      fail: (error) => this.#sink.fail(error),
    });
  }
}
