import { type ServiceCallerConfig, selectedRegistry } from '@service-caller/config-yaml';
import {
  type CallEngine,
  type Client,
  type ClientDefaults,
  ClosedError,
  ConfigError,
  consoleLogger,
  createCallEngine,
  createClient,
  createLoadBalancer,
  type Endpoints,
  type HttpMethod,
  type InstanceRegistration,
  InvalidRequestError,
  isLoadBalancerType,
  LOAD_BALANCER_TYPES,
  type LoadBalancer,
  type Logger,
  type RawResponse,
  type ServiceInterceptor,
  type ServiceRegistry,
  staticRegistry,
  type Transport,
} from '@service-caller/core';
import type { RawRequestOptions, RequestOptions, ServiceManagerOptions } from './options.js';
import { registrationFromConfig } from './registration.js';
import { createAdapterRegistry } from './registry-adapter.js';
import { OPTIONS_SOURCE, resolveConfig } from './resolve-config.js';
import { defaultWiring, WIRING, type Wiring } from './wiring.js';

const METHODS: ReadonlySet<string> = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']);
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** What the manager holds once built; `owned*` says what `close()` must close. */
interface Parts {
  readonly config: ServiceCallerConfig;
  readonly engine: CallEngine;
  readonly registry: ServiceRegistry;
  readonly ownsRegistry: boolean;
  readonly transportName: string;
  readonly loadBalancerName: string;
  readonly registration: InstanceRegistration | undefined;
  readonly logger: Logger;
}

/**
 * Calls HTTP services by name: discovery picks the instances, a load balancer one of them, the
 * interceptors run around the call, and the transport sends it.
 *
 * Build one with {@link ServiceManager.create}; close it with `close()` or `await using`.
 *
 * @example
 * ```ts
 * await using manager = await ServiceManager.create({ configDir: './config' });
 * const hello = await manager.get<{ message: string }>('other-app', '/hello');
 * await using res = await manager.rawGet('other-app', '/hello');
 * ```
 */
export class ServiceManager implements AsyncDisposable {
  readonly #parts: Parts;
  #closed = false;
  #closing: Promise<void> | undefined;

  private constructor(parts: Parts) {
    this.#parts = parts;
  }

  /**
   * Reads and validates the config, builds the registry, transport, load balancer and engine,
   * and registers this service when the config names it (app name and port). A bad option or
   * config value rejects with a `ConfigError`; a failed registration with the registry's
   * `RegistryError`. Whatever was built before a failure is released again.
   */
  static async create(options: ServiceManagerOptions = {}): Promise<ServiceManager> {
    if (typeof options !== 'object' || options === null) {
      throw new ConfigError({
        file: OPTIONS_SOURCE,
        keyPath: '',
        expected: 'an options object',
        found: options === null ? 'null' : typeof options,
      });
    }
    const wiring = (options as { [WIRING]?: Wiring })[WIRING] ?? defaultWiring;
    return new ServiceManager(await build(options, wiring));
  }

  /** The validated config (camelCase, times in seconds), defaults filled in. Frozen. */
  get config(): Readonly<ServiceCallerConfig> {
    return this.#parts.config;
  }

  /** The registry in use: the injected one, or the one built from the config. */
  get registry(): ServiceRegistry {
    return this.#parts.registry;
  }

  /** The interceptors in run order. A frozen snapshot; use the methods below to change it. */
  get interceptors(): readonly ServiceInterceptor[] {
    return this.#parts.engine.interceptors;
  }

  /** Whether `close()` has been called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Adds an interceptor at its place by `order`. Calls already in flight keep their list.
   * @returns false, changing nothing, when an interceptor with that name is already present.
   */
  addInterceptor(interceptor: ServiceInterceptor): boolean {
    return this.#parts.engine.addInterceptor(interceptor);
  }

  /** Removes the interceptor named `name`. @returns whether one was removed. */
  removeInterceptor(name: string): boolean {
    return this.#parts.engine.removeInterceptor(name);
  }

  /** Removes every interceptor. */
  clearInterceptors(): void {
    this.#parts.engine.clearInterceptors();
  }

  /**
   * Calls `serviceName` and resolves with the body parsed by content type: JSON (`application/json`,
   * `*+json`), a string (`text/*`), bytes (anything else), or `undefined` for an empty body.
   * A non-2xx status rejects with `HttpStatusError` unless `throwHttpErrors: false`.
   *
   * @param method An HTTP method, any case (`'GET'`, `'get'`).
   * @param path A path with optional query (`/x/y?z=1`); an absolute URL is refused.
   */
  request<T = unknown>(
    method: HttpMethod | Lowercase<HttpMethod>,
    serviceName: string,
    path: string,
    options?: RequestOptions,
  ): Promise<T> {
    const normalized = normalizeMethod(method);
    if (typeof normalized !== 'string') return Promise.reject(normalized);
    return this.#request(normalized, serviceName, path, options) as Promise<T>;
  }

  /**
   * Calls `serviceName` and resolves with the unread response, whatever its status. Read the
   * body once or dispose it (`await using res = ...`): an unread body holds a pooled connection.
   */
  rawRequest(
    method: HttpMethod | Lowercase<HttpMethod>,
    serviceName: string,
    path: string,
    options?: RawRequestOptions,
  ): Promise<RawResponse> {
    const normalized = normalizeMethod(method);
    if (typeof normalized !== 'string') return Promise.reject(normalized);
    return this.#rawRequest(normalized, serviceName, path, options);
  }

  /**
   * A typed client for `serviceName`: one method per endpoint (made with `get`, `post`, ...),
   * calling through this manager (same interceptors, discovery and balancer as `get`), with
   * `ctx.attributes.endpoint` naming the endpoint. See `createClient` in `@service-caller/core`.
   *
   * @example
   * ```ts
   * const users = manager.client('user-service', {
   *   getUser: get('/users/{id}', { response: User }),
   * });
   * const user = await users.getUser({ path: { id: 7 } });
   * ```
   */
  client<E extends Endpoints>(serviceName: string, endpoints: E, defaults?: ClientDefaults): Client<E> {
    return createClient(
      { request: (method, service, path, options) => this.#request(method, service, path, options) },
      serviceName,
      endpoints,
      defaults,
    );
  }

  /** `GET`; see {@link ServiceManager.request}. */
  get<T = unknown>(serviceName: string, path: string, options?: RequestOptions): Promise<T> {
    return this.#request('GET', serviceName, path, options) as Promise<T>;
  }
  /** `POST`; see {@link ServiceManager.request}. */
  post<T = unknown>(serviceName: string, path: string, options?: RequestOptions): Promise<T> {
    return this.#request('POST', serviceName, path, options) as Promise<T>;
  }
  /** `PUT`; see {@link ServiceManager.request}. */
  put<T = unknown>(serviceName: string, path: string, options?: RequestOptions): Promise<T> {
    return this.#request('PUT', serviceName, path, options) as Promise<T>;
  }
  /** `DELETE`; see {@link ServiceManager.request}. */
  delete<T = unknown>(serviceName: string, path: string, options?: RequestOptions): Promise<T> {
    return this.#request('DELETE', serviceName, path, options) as Promise<T>;
  }
  /** `PATCH`; see {@link ServiceManager.request}. */
  patch<T = unknown>(serviceName: string, path: string, options?: RequestOptions): Promise<T> {
    return this.#request('PATCH', serviceName, path, options) as Promise<T>;
  }
  /** `HEAD`: resolves with `undefined` (a HEAD response has no body); see {@link ServiceManager.request}. */
  head<T = unknown>(serviceName: string, path: string, options?: RequestOptions): Promise<T> {
    return this.#request('HEAD', serviceName, path, options) as Promise<T>;
  }
  /** `OPTIONS`; see {@link ServiceManager.request}. */
  options<T = unknown>(serviceName: string, path: string, options?: RequestOptions): Promise<T> {
    return this.#request('OPTIONS', serviceName, path, options) as Promise<T>;
  }

  /** Raw `GET`; see {@link ServiceManager.rawRequest}. */
  rawGet(serviceName: string, path: string, options?: RawRequestOptions): Promise<RawResponse> {
    return this.#rawRequest('GET', serviceName, path, options);
  }
  /** Raw `POST`; see {@link ServiceManager.rawRequest}. */
  rawPost(serviceName: string, path: string, options?: RawRequestOptions): Promise<RawResponse> {
    return this.#rawRequest('POST', serviceName, path, options);
  }
  /** Raw `PUT`; see {@link ServiceManager.rawRequest}. */
  rawPut(serviceName: string, path: string, options?: RawRequestOptions): Promise<RawResponse> {
    return this.#rawRequest('PUT', serviceName, path, options);
  }
  /** Raw `DELETE`; see {@link ServiceManager.rawRequest}. */
  rawDelete(serviceName: string, path: string, options?: RawRequestOptions): Promise<RawResponse> {
    return this.#rawRequest('DELETE', serviceName, path, options);
  }
  /** Raw `PATCH`; see {@link ServiceManager.rawRequest}. */
  rawPatch(serviceName: string, path: string, options?: RawRequestOptions): Promise<RawResponse> {
    return this.#rawRequest('PATCH', serviceName, path, options);
  }
  /** Raw `HEAD`; see {@link ServiceManager.rawRequest}. */
  rawHead(serviceName: string, path: string, options?: RawRequestOptions): Promise<RawResponse> {
    return this.#rawRequest('HEAD', serviceName, path, options);
  }
  /** Raw `OPTIONS`; see {@link ServiceManager.rawRequest}. */
  rawOptions(serviceName: string, path: string, options?: RawRequestOptions): Promise<RawResponse> {
    return this.#rawRequest('OPTIONS', serviceName, path, options);
  }

  /**
   * Refuses new calls (`ClosedError`), deregisters this service if `create` registered it, waits
   * for calls in flight, then closes the transport and the registry the manager built itself
   * (an injected registry or transport is left open: it is the caller's). Idempotent: a second
   * call returns the first one's promise. A failed deregistration is logged, not thrown: the
   * registry's own expiry removes the instance.
   */
  close(): Promise<void> {
    this.#closed = true;
    this.#closing ??= shutdown(this.#parts);
    return this.#closing;
  }

  /** `close()`, for `await using manager = await ServiceManager.create(...)`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Names the parts, never the config: it may hold secrets. */
  [INSPECT](): string {
    const p = this.#parts;
    return `ServiceManager { registry: ${p.registry.name}, transport: ${p.transportName}, loadBalancer: ${
      p.loadBalancerName
    }, interceptors: [${p.engine.interceptors.map((i) => i.name).join(', ')}]${this.#closed ? ', closed' : ''} }`;
  }

  #request(
    method: HttpMethod,
    serviceName: string,
    path: string,
    options?: RequestOptions,
  ): Promise<unknown> {
    if (this.#closed) return Promise.reject(new ClosedError('ServiceManager'));
    return this.#parts.engine.request(method, serviceName, path, options);
  }

  #rawRequest(
    method: HttpMethod,
    serviceName: string,
    path: string,
    options?: RawRequestOptions,
  ): Promise<RawResponse> {
    if (this.#closed) return Promise.reject(new ClosedError('ServiceManager'));
    return this.#parts.engine.rawRequest(method, serviceName, path, options);
  }
}

function normalizeMethod(method: unknown): HttpMethod | InvalidRequestError {
  const upper = typeof method === 'string' ? method.toUpperCase() : undefined;
  if (upper !== undefined && METHODS.has(upper)) return upper as HttpMethod;
  return new InvalidRequestError(
    `unknown HTTP method ${typeof method === 'string' ? `'${method}'` : typeof method}; expected one of ${[
      ...METHODS,
    ].join(', ')}`,
  );
}

/** Builds every part; on a failure, releases what was built so far and rethrows. */
async function build(options: ServiceManagerOptions, wiring: Wiring): Promise<Parts> {
  checkInjected(options);
  const logger = options.logger ?? consoleLogger('warn');
  const { config, source } = await resolveConfig(options, logger);
  const loadBalancer =
    options.loadBalancer === undefined
      ? pickLoadBalancer(config.serviceCaller.lbType, false)
      : pickLoadBalancer(options.loadBalancer, true);
  const selected = selectedRegistry(config);
  const registration = registrationFromConfig(config, selected);

  const cleanups: Array<() => Promise<void>> = [];
  try {
    let registry = options.registry;
    const ownsRegistry = registry === undefined;
    if (registry === undefined) {
      registry =
        selected === 'static'
          ? staticRegistry({ services: config.appRegistry.static?.services ?? {}, logger })
          : await createAdapterRegistry(selected, config.appRegistry[selected] ?? {}, {
              logger,
              source,
              wiring,
            });
      const created = registry;
      cleanups.push(() => created.close());
    }

    const settings = config.serviceCaller;
    const transport =
      options.transport === undefined
        ? wiring.createTransport({
            connections: settings.connectionPoolSize,
            connectTimeout: settings.connectionTimeout * 1000,
            readTimeout: settings.readTimeout * 1000,
          })
        : keepOpen(options.transport);
    const transportCleanup = cleanups.push(() => transport.close()) - 1;

    const engine = createCallEngine({
      discovery: registry,
      transport,
      loadBalancer,
      logger,
      ...(options.interceptors === undefined ? {} : { interceptors: options.interceptors }),
    });
    // From here the engine closes the transport (a user's one is wrapped to stay open).
    cleanups[transportCleanup] = () => engine.close();

    if (registration !== undefined) {
      if (typeof registry.register !== 'function') {
        throw new ConfigError({
          file: OPTIONS_SOURCE,
          keyPath: 'registry',
          expected: `a registry that can register (the config names this service '${registration.serviceName}')`,
          found: `the ${registry.name} registry without register()`,
        });
      }
      await registry.register(registration);
    }

    return Object.freeze({
      // A frozen copy: the registry may keep (and update) the objects the config handed it.
      config: deepFreeze(structuredClone(config)),
      engine,
      registry,
      ownsRegistry,
      transportName: transport.name,
      loadBalancerName: loadBalancer.name,
      registration,
      logger,
    });
  } catch (error) {
    // Newest first: the engine (and its transport) before the registry it reads from.
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((cleanupError: unknown) =>
        logger.warn('ServiceManager.create: releasing a part after a failure failed', {
          error: cleanupError,
        }),
      );
    }
    throw error;
  }
}

async function shutdown(parts: Parts): Promise<void> {
  const failures: unknown[] = [];
  if (parts.registration !== undefined) {
    try {
      await parts.registry.deregister(parts.registration);
    } catch (error) {
      parts.logger.warn(
        `ServiceManager.close: deregistering '${parts.registration.serviceName}' from ${parts.registry.name} failed`,
        { error },
      );
    }
  }
  // Waits for calls in flight before it closes the transport; the registry stays usable until then.
  await parts.engine.close().catch((error: unknown) => failures.push(error));
  if (parts.ownsRegistry) await parts.registry.close().catch((error: unknown) => failures.push(error));
  if (failures.length > 0) throw failures[0];
}

function pickLoadBalancer(choice: LoadBalancer | string, fromOption: boolean): LoadBalancer {
  if (typeof choice === 'string') {
    if (!fromOption || isLoadBalancerType(choice)) return createLoadBalancer(choice);
    throw new ConfigError({
      file: OPTIONS_SOURCE,
      keyPath: 'loadBalancer',
      expected: `a LoadBalancer or one of ${LOAD_BALANCER_TYPES.join(', ')}`,
      found: `'${choice.length > 60 ? `${choice.slice(0, 60)}...` : choice}'`,
    });
  }
  if (typeof choice === 'object' && choice !== null && typeof choice.pick === 'function') return choice;
  throw new ConfigError({
    file: OPTIONS_SOURCE,
    keyPath: 'loadBalancer',
    expected: 'a LoadBalancer (with pick()) or a load balancer type name',
    found: choice === null ? 'null' : typeof choice,
  });
}

function checkInjected(options: ServiceManagerOptions): void {
  const { registry, transport, logger } = options;
  if (logger !== undefined && !hasMethods(logger, ['debug', 'info', 'warn', 'error'])) {
    throw new ConfigError({
      file: OPTIONS_SOURCE,
      keyPath: 'logger',
      expected: 'a Logger (debug, info, warn, error)',
      found: describe(logger),
    });
  }
  if (registry !== undefined && !hasMethods(registry, ['getInstances'])) {
    throw new ConfigError({
      file: OPTIONS_SOURCE,
      keyPath: 'registry',
      expected: 'a ServiceRegistry (getInstances, register, deregister, close)',
      found: describe(registry),
    });
  }
  if (transport !== undefined && !hasMethods(transport, ['send', 'close'])) {
    throw new ConfigError({
      file: OPTIONS_SOURCE,
      keyPath: 'transport',
      expected: 'a Transport (send, close)',
      found: describe(transport),
    });
  }
}

function hasMethods(value: unknown, names: readonly string[]): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    names.every((n) => typeof (value as Record<string, unknown>)[n] === 'function')
  );
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object without those methods' : typeof value;
}

/**
 * The user's transport behind a `close` that does nothing: what was passed in, the user closes.
 * The optional `sendBuffered` is passed on when the transport has it.
 */
function keepOpen(transport: Transport): Transport {
  const kept: Transport = {
    name: transport.name,
    send: (request) => transport.send(request),
    close: async () => {},
  };
  if (typeof transport.sendBuffered === 'function') {
    kept.sendBuffered = (request) => transport.sendBuffered!(request);
  }
  return kept;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
