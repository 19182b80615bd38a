import {
  ClosedError,
  type InstanceRegistration,
  type InstancesListener,
  RegistryError,
  type ServiceInstance,
  type ServiceRegistry,
} from '@service-caller/core';
import { InstanceCache } from '@service-caller/core/adapter';
import { BackgroundRegistration } from './background-registration.js';
import { builtInApi } from './built-in-api.js';
import { Heartbeat } from './heartbeat.js';
import { SECURE_METADATA_KEY } from './instances.js';
import { NacosRefusedError } from './nacos-http.js';
import type { InstanceSpec, NamingApi } from './naming-api.js';
import { OfficialClientApi } from './official-client.js';
import { type NacosRegistryOptions, type NormalizedOptions, normalizeOptions } from './options.js';
import { NacosOutage } from './outage-log.js';
import { nacosFeed } from './service-feed.js';

/**
 * A registry backed by Nacos: registers this process's instances (with heartbeats for ephemeral
 * ones, and re-registration after a Nacos restart) and discovers the healthy, enabled instances
 * with weight > 0 of other services in the configured namespace and group (and cluster, if one
 * is set; every cluster otherwise).
 *
 * Discovery keeps a cache per service that was looked up, refreshed in the background every
 * `refreshInterval`: after the first lookup a call never waits on Nacos, and while Nacos cannot be
 * reached the last good list is served (with one warning per outage). The built-in client speaks
 * the Nacos 1.x/2.x Open API or the Nacos 3 client API (`apiVersion`, detected by default); pass
 * `client` to use an official `NacosNamingClient` instead.
 *
 * Options are checked up front: a bad one throws `ConfigError` naming the key. Operations reject
 * with `RegistryError` (never showing the password or token).
 *
 * @example
 * ```ts
 * const registry = nacosRegistry({ serverAddr: '127.0.0.1:8848', namespace: 'dev' });
 * await registry.register({ serviceName: 'orders', host: '10.0.0.7', port: 8080 });
 * const instances = await registry.getInstances('users');
 * await registry.close(); // deregisters orders
 * ```
 */
export function nacosRegistry(options: NacosRegistryOptions): ServiceRegistry {
  return new NacosRegistry(normalizeOptions(options));
}

/**
 * The registry behind {@link nacosRegistry}. Internal; `api` and `now` let tests reach the
 * protocol choice and token renewal.
 * @internal
 */
export class NacosRegistry implements ServiceRegistry {
  readonly name = 'nacos';
  readonly #options: NormalizedOptions;
  readonly #api: NamingApi;
  readonly #outage: NacosOutage;
  /** Discovery: core's shared instance cache, fed by polls or by the server's pushes. */
  readonly #cache: InstanceCache;
  /**
   * What `register` registered, keyed by `service ip:port`, with its heartbeat if any, or its
   * background registration while Nacos has not accepted it yet.
   */
  readonly #registered = new Map<string, Registered>();
  #closing: Promise<void> | undefined;

  constructor(options: NormalizedOptions, api?: NamingApi) {
    this.#options = options;
    const where =
      options.client !== undefined
        ? 'Nacos (through the nacos npm client)'
        : `Nacos at ${serverList(options)}`;
    const outage = new NacosOutage(options.logger, where, { holdMs: options.emptyListHoldMs });
    this.#outage = outage;
    this.#api =
      api ??
      (options.client !== undefined
        ? new OfficialClientApi(
            options.client,
            options,
            options.password === undefined ? [] : [options.password],
          )
        : builtInApi(options, undefined, outage));
    // A member of the server list that comes back may not know every instance yet (an r-nacos
    // member answers before its peers gave it their data): its empty lists are held as after an outage.
    this.#api.onServerBack?.(() => outage.restarted());
    this.#cache = new InstanceCache({
      registry: 'nacos',
      logger: options.logger,
      outage: this.#outage.log,
      // An empty list is not believed while a server may have lost its state (an outage, a
      // restart or a reconnection seen, and 15 s after); see the README's decision on `always`.
      emptyListProtection: options.emptyListProtection ?? 'after-outage',
      feed: nacosFeed({
        api: this.#api,
        intervalMs: options.refreshIntervalMs,
        listCluster: options.listCluster,
        outage: this.#outage,
      }),
    });
  }

  /** The protocol in use: `v1`, `v3`, `auto` (not detected yet) or `nacos npm client`. */
  get protocol(): string {
    return this.#api.protocol;
  }

  /** Over gRPC: the server of the current connection (`host:grpcPort`); `undefined` otherwise. */
  get connectedTo(): string | undefined {
    return this.#api.connectedTo;
  }

  async getInstances(
    serviceName: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<readonly ServiceInstance[]> {
    this.#assertOpen();
    checkServiceName(serviceName, 'getInstances');
    const cached = this.#cache.get(serviceName);
    if (cached !== undefined) return cached;
    try {
      return await this.#cache.load(serviceName, options.signal);
    } catch (error) {
      if (options.signal?.aborted && error === options.signal.reason) throw error;
      throw asRegistryError(error, `get the instances of '${serviceName}'`);
    }
  }

  getCachedInstances(serviceName: string): readonly ServiceInstance[] | undefined {
    return this.#cache.get(serviceName);
  }

  subscribe(serviceName: string, listener: InstancesListener): () => void {
    this.#assertOpen();
    checkServiceName(serviceName, 'subscribe');
    if (typeof listener !== 'function') {
      throw new RegistryError(
        'nacos',
        `cannot subscribe to '${serviceName}': the listener is not a function`,
      );
    }
    // The cache starts the service's feed, so the listener hears the first list.
    return this.#cache.subscribe(serviceName, listener);
  }

  async register(registration: InstanceRegistration): Promise<void> {
    this.#assertOpen();
    const spec = this.#spec(registration, 'register');
    const key = keyOf(spec);
    let failure: unknown;
    try {
      await this.#api.register(spec);
    } catch (error) {
      if (this.#options.registration !== 'background' || !retriable(error)) {
        throw asRegistryError(error, `register '${spec.serviceName}'`);
      }
      failure = error;
    }
    // Closed while the request was out: start nothing (Nacos expires the unbeaten instance).
    if (this.#closing !== undefined) throw new ClosedError('nacos registry');
    // A second registration of the same instance replaces the first (new weight or metadata);
    // the first keeps beating until the second is in place.
    const previous = this.#registered.get(key);
    this.#registered.delete(key);
    await previous?.heartbeat?.stop();
    await previous?.background?.stop();
    const entry: Registered = { spec, heartbeat: undefined, background: undefined };
    this.#registered.set(key, entry);
    if (failure === undefined) {
      this.#registeredNow(entry);
      return;
    }
    entry.background = new BackgroundRegistration(spec, failure, {
      register: () => this.#api.register(spec),
      retriable,
      onRegistered: () => {
        if (this.#registered.get(key) === entry && this.#closing === undefined) this.#registeredNow(entry);
      },
      logger: this.#options.logger,
    });
  }

  /** Nacos accepted `entry`: keep it alive, and show it in this process's own lists soon. */
  #registeredNow(entry: Registered): void {
    const { spec } = entry;
    entry.heartbeat =
      spec.ephemeral && this.#api.heartbeat !== undefined
        ? new Heartbeat(spec, {
            api: this.#api,
            intervalMs: this.#options.heartbeatIntervalMs,
            outage: this.#outage,
            logger: this.#options.logger,
          })
        : undefined;
    this.#cache.refresh(spec.serviceName);
  }

  async deregister(registration: InstanceRegistration): Promise<void> {
    // After close() nothing is registered any more: there is nothing left to remove.
    if (this.#closing !== undefined) return this.#closing;
    const spec = this.#spec(registration, 'deregister');
    await this.#deregister(spec);
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#cache.close();
    const registered = [...this.#registered.values()];
    const failures = await Promise.allSettled(registered.map(({ spec }) => this.#deregister(spec)));
    for (const failure of failures) {
      if (failure.status === 'rejected') {
        const reason = failure.reason instanceof Error ? failure.reason.message : String(failure.reason);
        // Nacos expires an ephemeral instance whose heartbeats stopped; nothing else to do.
        this.#options.logger.warn(`[nacos] close: ${reason.replace(/^\[nacos\] /, '')}`);
      }
    }
    await this.#api.close();
  }

  async #deregister(spec: InstanceSpec): Promise<void> {
    const key = keyOf(spec);
    const entry = this.#registered.get(key);
    this.#registered.delete(key);
    await entry?.heartbeat?.stop();
    if (entry?.background !== undefined) {
      await entry.background.stop();
      // Nacos never accepted it: there is nothing to take back.
      if (!entry.background.registered) return;
    }
    // What a restarted registration would register: the same spec, so cluster and ephemeral match.
    const target = entry?.spec ?? spec;
    try {
      await this.#api.deregister(target);
    } catch (error) {
      throw asRegistryError(error, `deregister '${spec.serviceName}'`);
    }
    this.#cache.refresh(spec.serviceName);
  }

  /** The registration with this registry's defaults applied, checked field by field. */
  #spec(registration: InstanceRegistration, verb: 'register' | 'deregister'): InstanceSpec {
    const fail = (what: string) => new RegistryError('nacos', `cannot ${verb}: ${what}`);
    if (typeof registration !== 'object' || registration === null) {
      throw fail('expected an object with serviceName, host and port');
    }
    const { serviceName, host, port, weight, metadata, secure } = registration;
    checkServiceName(serviceName, verb);
    if (typeof host !== 'string' || host.trim() === '')
      throw fail(`host must be a non-empty string, found ${show(host)}`);
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw fail(`port must be an integer from 1 to 65535, found ${show(port)}`);
    }
    const effectiveWeight = weight ?? this.#options.weight;
    if (
      typeof effectiveWeight !== 'number' ||
      !Number.isFinite(effectiveWeight) ||
      effectiveWeight < 0 ||
      effectiveWeight > 10_000
    ) {
      throw fail(`weight must be a number from 0 to 10000, found ${show(weight)}`);
    }
    if (metadata !== undefined) {
      if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
        throw fail(`metadata must be an object of strings, found ${show(metadata)}`);
      }
      for (const [key, value] of Object.entries(metadata)) {
        if (typeof value !== 'string') throw fail(`metadata.${key} must be a string, found ${show(value)}`);
      }
    }
    if (secure !== undefined && typeof secure !== 'boolean')
      throw fail(`secure must be true or false, found ${show(secure)}`);
    const merged: Record<string, string> = { ...this.#options.metadata, ...metadata };
    if (secure === true) merged[SECURE_METADATA_KEY] = 'true';
    return {
      serviceName,
      ip: host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host,
      port,
      weight: effectiveWeight,
      metadata: merged,
      ephemeral: this.#options.ephemeral,
    };
  }

  #assertOpen(): void {
    if (this.#closing !== undefined) throw new ClosedError('nacos registry');
  }
}

/** One instance `register` took on. */
interface Registered {
  readonly spec: InstanceSpec;
  heartbeat: Heartbeat | undefined;
  /** Set while (and after) Nacos was not reachable at `register`: the attempts in the background. */
  background: BackgroundRegistration | undefined;
}

/** Whether a failed registration may succeed later: not when the server refused this client. */
function retriable(error: unknown): boolean {
  return !(error instanceof NacosRefusedError);
}

function keyOf(spec: InstanceSpec): string {
  return `${spec.serviceName} ${spec.ip}:${spec.port}`;
}

function checkServiceName(serviceName: unknown, verb: string): asserts serviceName is string {
  if (typeof serviceName !== 'string' || serviceName.trim() === '' || serviceName.includes('@@')) {
    throw new RegistryError(
      'nacos',
      `cannot ${verb}: the service name must be a non-empty string without '@@', found ${show(serviceName)}`,
    );
  }
}

function asRegistryError(error: unknown, op: string): RegistryError {
  if (error instanceof RegistryError) return error;
  return new RegistryError(
    'nacos',
    `${op} failed: ${error instanceof Error ? error.message : String(error)}`,
    {
      cause: error,
    },
  );
}

function serverList(options: NormalizedOptions): string {
  return options.servers.map((s) => s.origin).join(', ');
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return Array.isArray(value) ? 'a list' : `a ${typeof value}`;
}
