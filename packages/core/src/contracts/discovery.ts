import type { InstanceRegistration, ServiceInstance } from './instance.js';

/** Called with the new instance list of a service each time it really changes. */
export type InstancesListener = (instances: readonly ServiceInstance[]) => void;

/**
 * Finds the live instances of a service by name.
 *
 * The contract the engine relies on: once a service has been seen, `getCachedInstances` answers
 * synchronously from memory and a registry refreshes that memory in the background, so a call
 * never waits on the registry's server. The array returned is the same object until the list
 * changes (balancers key their precomputed state on it) and must not be mutated by anyone.
 */
export interface ServiceDiscovery {
  /** Short name used in errors and logs: `static`, `nacos`, `consul`. */
  readonly name: string;
  /**
   * The instances of `serviceName` (healthy and unhealthy; balancers skip the unhealthy).
   * Resolves from the cache when the service has been seen; otherwise asks the server once and
   * starts keeping the service fresh. An unknown service resolves to an empty list; a registry
   * that cannot be reached and has nothing cached rejects with a `RegistryError`.
   */
  getInstances(serviceName: string, options?: { signal?: AbortSignal }): Promise<readonly ServiceInstance[]>;
  /**
   * The cached list for `serviceName`, or `undefined` when the service has not been seen yet.
   * Never performs I/O. The engine's hot path calls this first.
   */
  getCachedInstances?(serviceName: string): readonly ServiceInstance[] | undefined;
  /**
   * Calls `listener` with each real change of the service's instance list (not on every refresh).
   * Returns the function that stops listening.
   */
  subscribe?(serviceName: string, listener: InstancesListener): () => void;
}

/** Registers and deregisters this process's own instances. */
export interface ServiceRegistrar {
  /**
   * Registers an instance and keeps it registered (heartbeats, TTL checks, re-registration after
   * a server restart) until `deregister` or `close`. Rejects with a `RegistryError`.
   */
  register(instance: InstanceRegistration): Promise<void>;
  /** Removes an instance registered by `register`; a no-op for an unknown instance. */
  deregister(instance: InstanceRegistration): Promise<void>;
}

/**
 * A registry adapter: discovery and registration behind one object with one lifecycle.
 * Every registry factory (`staticRegistry`, `nacosRegistry`, `consulRegistry`) returns this.
 */
export interface ServiceRegistry extends ServiceDiscovery, ServiceRegistrar {
  /** Deregisters what this registry registered, stops background work. Idempotent. */
  close(): Promise<void>;
}
