import type { ConfigChange, DeepReadonly, MergedOf, ServiceCallerConfig } from '@service-caller/config-yaml';
import {
  type Client,
  type ClientDefaults,
  ClosedError,
  ConfigError,
  createClient,
  type Endpoints,
  type EngineSnapshot,
  HTTP_METHODS,
  type HttpMethod,
  InvalidRequestError,
  isHttpMethod,
  type RawResponse,
  type ServiceInterceptor,
  type ServiceRegistry,
} from '@service-caller/core';
import { describeValue } from '@service-caller/core/adapter';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { buildParts, type ManagerParts, shutdownParts } from './manager-parts.js';
import type { RawRequestOptions, RequestOptions, ServiceManagerOptions } from './options.js';
import { OPTIONS_SOURCE } from './resolve-config.js';
import { defaultWiring, WIRING, type Wiring } from './wiring.js';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

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
export class ServiceManager<Config = DeepReadonly<Record<string, unknown>>> implements AsyncDisposable {
  readonly #parts: ManagerParts;
  #closed = false;
  #closing: Promise<void> | undefined;

  private constructor(parts: ManagerParts) {
    this.#parts = parts;
  }

  /**
   * Reads and validates the config, builds the registry, transport, load balancer and engine,
   * and registers this service when the config names it (app name and port). A bad option or
   * config value rejects with a `ConfigError`; a failed registration with the registry's
   * `RegistryError`. Whatever was built before a failure is released again.
   */
  static async create<Schema extends StandardSchemaV1 | undefined = undefined>(
    options: ServiceManagerOptions<Schema> = {},
  ): Promise<ServiceManager<MergedOf<Schema>>> {
    if (typeof options !== 'object' || options === null) {
      throw new ConfigError({
        file: OPTIONS_SOURCE,
        keyPath: '',
        expected: 'an options object',
        found: options === null ? 'null' : typeof options,
      });
    }
    const wiring = (options as { [WIRING]?: Wiring })[WIRING] ?? defaultWiring;
    return new ServiceManager(await buildParts(options as ServiceManagerOptions<never>, wiring));
  }

  /**
   * The whole merged configuration, read-only (the Python `ConfigManager.get_config()`): every
   * key of the files and the config sources, the application's own included, as written in YAML,
   * `${}` expanded and `{encrypted}` values decrypted; the `schema` option's output when given.
   * With a `config` object, that object (frozen). Follows the config sources: read it when needed
   * rather than keeping it; `onConfigChange` says when it changed.
   */
  get config(): Config {
    return (this.#parts.live?.current.merged ?? this.#parts.merged) as Config;
  }

  /**
   * This project's settings as the manager started with them (camelCase, times in seconds),
   * defaults filled in. Frozen. They take effect at start only: a config-source change to
   * `service-caller` or `app-registry` shows in `config` but not here.
   */
  get settings(): Readonly<ServiceCallerConfig> {
    return this.#parts.config;
  }

  /**
   * Calls `listener` after each change of the merged config that a config source brought
   * (`config-sources.nacos` with `auto-refresh`). Returns a function that removes the listener.
   * Without a config source, nothing ever changes and the listener is never called.
   */
  onConfigChange(listener: (change: ConfigChange<Config>) => void): () => void {
    if (this.#parts.live === undefined) return () => {};
    return this.#parts.live.onChange(listener as (change: ConfigChange<unknown>) => void);
  }

  /** The registry in use: the injected one, or the one built from the config. */
  get registry(): ServiceRegistry {
    return this.#parts.registry;
  }

  /**
   * What the engine knows now of each service this manager has called: its instances with their
   * health, ejection state, attempts in flight and the last minute's latency and errors. Made
   * when called, read-only (see `EngineSnapshot`); admin pages build on it.
   */
  snapshot(): EngineSnapshot {
    return this.#parts.engine.snapshot();
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
    this.#closing ??= shutdownParts(this.#parts);
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
  if (isHttpMethod(upper)) return upper;
  return new InvalidRequestError(
    `unknown HTTP method ${describeValue(method, 'code')}; expected one of ${HTTP_METHODS.join(', ')}`,
  );
}
