import type { InstancesListener, ServiceRegistry } from '../contracts/discovery.js';
import type { InstanceRegistration, ServiceInstance } from '../contracts/instance.js';
import type { Logger } from '../contracts/logger.js';
import { consoleLogger } from '../engine/logger.js';
import { ClosedError, ConfigError, RegistryError } from '../errors/index.js';
import { sameInstance } from './same-instance.js';

/** One instance as written in `app-registry.static.services.<name>` or passed in code. */
export interface StaticInstanceInput {
  /** Host name or IP address; non-empty. */
  host: string;
  /** TCP port, an integer 1-65535. */
  port: number;
  /** Relative weight, finite and >= 0. @default 1 */
  weight?: number;
  /** Serve over https. @default false */
  secure?: boolean;
  /** Free-form string metadata. @default {} */
  metadata?: Readonly<Record<string, string>>;
  /** The instance's id. @default `${host}:${port}` */
  id?: string;
}

/** Options of `staticRegistry`. */
export interface StaticRegistryOptions {
  /** The instances of each service by service name. @default {} */
  services?: Readonly<Record<string, readonly StaticInstanceInput[]>>;
  /** Where a listener's failure is reported. @default a console-backed logger at `warn` */
  logger?: Logger;
}

/** The static registry: a `ServiceRegistry` whose lists live in memory and can be replaced. */
export interface StaticRegistry extends ServiceRegistry {
  /** The list of `serviceName`, or `undefined` for a service never configured or registered. */
  getCachedInstances(serviceName: string): readonly ServiceInstance[] | undefined;
  /** Calls `listener` synchronously with each real change of the list. */
  subscribe(serviceName: string, listener: InstancesListener): () => void;
  /**
   * Replaces the instances of `serviceName` (for tests and demos). Listeners hear the new list
   * when it differs from the old one. Throws `ConfigError` for a malformed instance.
   */
  setInstances(serviceName: string, instances: readonly StaticInstanceInput[]): void;
}

const FILE = '<staticRegistry>';
const NONE: readonly ServiceInstance[] = Object.freeze([]);
const NO_METADATA: Readonly<Record<string, string>> = Object.freeze({});
const SERVICE_NAME_FORBIDDEN = /[\s/:]/;

/**
 * A registry with a fixed list of instances per service, for development, tests and setups
 * without a registry server (`app-registry.static`). `register` and `deregister` change the
 * lists in memory, so one process can play both sides.
 *
 * Instances are built once and frozen; each service's array stays the same object until its
 * list really changes. Malformed input throws `ConfigError` (file `<staticRegistry>`, key path
 * like `services.users[1].port`).
 *
 * @example
 * ```ts
 * const registry = staticRegistry({
 *   services: { users: [{ host: '127.0.0.1', port: 8081, weight: 2 }, { host: '127.0.0.1', port: 8082 }] },
 * });
 * ```
 */
export function staticRegistry(options: StaticRegistryOptions = {}): StaticRegistry {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError({ file: FILE, keyPath: '', expected: 'an options object', found: typeOf(options) });
  }
  const { services = {}, logger } = options;
  if (typeof services !== 'object' || services === null || Array.isArray(services)) {
    throw new ConfigError({
      file: FILE,
      keyPath: 'services',
      expected: 'an object of service name -> instance list',
      found: typeOf(services),
    });
  }
  const registry = new MemoryRegistry(logger ?? consoleLogger());
  for (const [serviceName, instances] of Object.entries(services)) {
    registry.setInstances(serviceName, instances);
  }
  return registry;
}

class MemoryRegistry implements StaticRegistry {
  readonly name = 'static';
  readonly #logger: Logger;
  readonly #services = new Map<string, readonly ServiceInstance[]>();
  readonly #listeners = new Map<string, Set<InstancesListener>>();
  /** What `register` added, so `close` can take it back. Keyed by `${serviceName} ${id}`. */
  readonly #registered = new Map<string, InstanceRegistration>();
  #closed = false;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  getInstances(serviceName: string): Promise<readonly ServiceInstance[]> {
    return Promise.resolve(this.#services.get(serviceName) ?? NONE);
  }

  getCachedInstances(serviceName: string): readonly ServiceInstance[] | undefined {
    return this.#services.get(serviceName);
  }

  subscribe(serviceName: string, listener: InstancesListener): () => void {
    if (typeof listener !== 'function') {
      throw new ConfigError({
        file: FILE,
        keyPath: `subscribe('${serviceName}').listener`,
        expected: 'a function',
        found: typeOf(listener),
      });
    }
    let listeners = this.#listeners.get(serviceName);
    if (listeners === undefined) {
      listeners = new Set();
      this.#listeners.set(serviceName, listeners);
    }
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && this.#listeners.get(serviceName) === listeners) {
        this.#listeners.delete(serviceName);
      }
    };
  }

  setInstances(serviceName: string, inputs: readonly StaticInstanceInput[]): void {
    checkServiceName(serviceName, `services.${serviceName}`);
    if (!Array.isArray(inputs)) {
      throw new ConfigError({
        file: FILE,
        keyPath: `services.${serviceName}`,
        expected: 'a list of instances',
        found: typeOf(inputs),
      });
    }
    const seen = new Map<string, number>();
    const next = inputs.map((input, i) => {
      const instance = buildInstance(serviceName, input, `services.${serviceName}[${i}]`);
      const first = seen.get(instance.id);
      if (first !== undefined) {
        throw new ConfigError({
          file: FILE,
          keyPath: `services.${serviceName}[${i}]`,
          expected: 'an instance with its own host:port (or id)',
          found: `a second '${instance.id}' (first at services.${serviceName}[${first}])`,
        });
      }
      seen.set(instance.id, i);
      return instance;
    });
    this.#replace(serviceName, next);
  }

  async register(registration: InstanceRegistration): Promise<void> {
    if (this.#closed) throw new ClosedError('static registry');
    let instance: ServiceInstance;
    try {
      checkServiceName(registration?.serviceName, 'instance.serviceName');
      instance = buildInstance(registration.serviceName, registration, 'instance');
    } catch (error) {
      throw new RegistryError(this.name, `cannot register: ${(error as Error).message}`, { cause: error });
    }
    const current = this.#services.get(instance.serviceName) ?? NONE;
    const at = current.findIndex((existing) => existing.id === instance.id);
    this.#registered.set(`${instance.serviceName} ${instance.id}`, registration);
    if (at >= 0 && sameInstance(current[at]!, instance)) return;
    const next = current.slice();
    if (at >= 0) next[at] = instance;
    else next.push(instance);
    this.#replace(instance.serviceName, next);
  }

  async deregister(registration: InstanceRegistration): Promise<void> {
    const serviceName = registration?.serviceName;
    if (typeof serviceName !== 'string') return;
    const id = registration.id ?? `${registration.host}:${registration.port}`;
    this.#registered.delete(`${serviceName} ${id}`);
    const current = this.#services.get(serviceName);
    if (current === undefined) return;
    const next = current.filter((existing) => existing.id !== id);
    if (next.length !== current.length) this.#replace(serviceName, next);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const registration of [...this.#registered.values()]) await this.deregister(registration);
    this.#listeners.clear();
  }

  /** Installs `next` unless it equals the current list, and tells the listeners. */
  #replace(serviceName: string, next: ServiceInstance[]): void {
    const current = this.#services.get(serviceName);
    if (current !== undefined && sameList(current, next)) return;
    const frozen = Object.freeze(next);
    this.#services.set(serviceName, frozen);
    const listeners = this.#listeners.get(serviceName);
    if (listeners === undefined) return;
    for (const listener of listeners) {
      try {
        listener(frozen);
      } catch (error) {
        this.#logger.error(`a listener of service '${serviceName}' threw; ignored`, {
          registry: this.name,
          serviceName,
          error,
        });
      }
    }
  }
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return value.length === 0 ? 'an empty string' : JSON.stringify(value);
  return typeof value;
}

function checkServiceName(serviceName: unknown, keyPath: string): asserts serviceName is string {
  if (
    typeof serviceName !== 'string' ||
    serviceName.length === 0 ||
    SERVICE_NAME_FORBIDDEN.test(serviceName)
  ) {
    throw new ConfigError({
      file: FILE,
      keyPath,
      expected: "a service name: non-empty, without '/', ':' or white space",
      found: typeOf(serviceName),
    });
  }
}

function buildInstance(serviceName: string, input: StaticInstanceInput, keyPath: string): ServiceInstance {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ConfigError({
      file: FILE,
      keyPath,
      expected: 'an object with host and port',
      found: typeOf(input),
    });
  }
  const { host, port, weight = 1, secure, metadata, id } = input;
  if (typeof host !== 'string' || host.trim().length === 0 || /[\s/]/.test(host)) {
    throw new ConfigError({
      file: FILE,
      keyPath: `${keyPath}.host`,
      expected: 'a host name or IP address',
      found: typeOf(host),
    });
  }
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError({
      file: FILE,
      keyPath: `${keyPath}.port`,
      expected: 'an integer from 1 to 65535',
      found: typeOf(port),
    });
  }
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
    throw new ConfigError({
      file: FILE,
      keyPath: `${keyPath}.weight`,
      expected: 'a finite number >= 0',
      found: typeOf(weight),
    });
  }
  if (secure !== undefined && typeof secure !== 'boolean') {
    throw new ConfigError({
      file: FILE,
      keyPath: `${keyPath}.secure`,
      expected: 'a boolean',
      found: typeOf(secure),
    });
  }
  if (id !== undefined && (typeof id !== 'string' || id.length === 0)) {
    throw new ConfigError({
      file: FILE,
      keyPath: `${keyPath}.id`,
      expected: 'a non-empty string',
      found: typeOf(id),
    });
  }
  return Object.freeze({
    id: id ?? `${host}:${port}`,
    serviceName,
    host,
    port,
    weight,
    healthy: true,
    secure: secure === true,
    metadata: buildMetadata(metadata, `${keyPath}.metadata`),
  });
}

function buildMetadata(
  metadata: Readonly<Record<string, string>> | undefined,
  keyPath: string,
): Readonly<Record<string, string>> {
  if (metadata === undefined) return NO_METADATA;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new ConfigError({ file: FILE, keyPath, expected: 'an object of strings', found: typeOf(metadata) });
  }
  const copy: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') {
      throw new ConfigError({
        file: FILE,
        keyPath: `${keyPath}.${key}`,
        expected: 'a string',
        found: typeOf(value),
      });
    }
    copy[key] = value;
  }
  return Object.freeze(copy);
}

function sameList(a: readonly ServiceInstance[], b: readonly ServiceInstance[]): boolean {
  return a.length === b.length && a.every((instance, i) => sameInstance(instance, b[i]!));
}
