import {
  ClosedError,
  type InstanceRegistration,
  type InstancesListener,
  RegistryError,
  type ServiceInstance,
  type ServiceRegistry,
} from '@service-caller/core';
import { InstanceCache, OutageLog } from '@service-caller/core/adapter';
import { ConsulApi, type ServiceDefinition } from './consul-api.js';
import { type ErrorContext, statusOf, toRegistryError } from './consul-error.js';
import { SECURE_META, WEIGHT_META } from './instances.js';
import { type ConsulRegistryOptions, type NormalizedOptions, normalizeOptions } from './options.js';
import { Registration } from './registration.js';
import { consulFeed } from './service-watch.js';

/** What {@link consulRegistry} returns: the core's `ServiceRegistry`, with its optional methods present. */
export type ConsulRegistry = ServiceRegistry &
  Required<Pick<ServiceRegistry, 'getCachedInstances' | 'subscribe'>>;

/**
 * A registry on Consul: registers this process's instances on the local Consul agent with a
 * health check (a TTL the registry passes itself, or an HTTP check Consul runs), and discovers
 * services through `/v1/health/service/:name?passing`, kept fresh by blocking queries so a call
 * never waits on Consul once a service has been seen. While the agent cannot be reached, the last
 * good list is served and one warning is logged per outage.
 *
 * @example
 * ```ts
 * import { consulRegistry } from '@service-caller/registry-consul';
 *
 * const registry = consulRegistry({ host: '127.0.0.1', port: 8500, token: process.env.CONSUL_HTTP_TOKEN });
 * await registry.register({ serviceName: 'orders', host: '10.0.0.7', port: 8080 });
 * const instances = await registry.getInstances('payments');
 * await registry.close(); // deregisters 'orders'
 * ```
 */
export function consulRegistry(options: ConsulRegistryOptions = {}): ConsulRegistry {
  const settings = normalizeOptions(options);
  const { logger } = settings;
  const outage = new OutageLog({ logger, registry: 'consul' });
  // The `consul` client is created on first use: building a registry does no I/O.
  let api: ConsulApi | undefined;
  const client = () => {
    api ??= new ConsulApi(settings);
    return api;
  };
  const errorContext = (action: string): ErrorContext => ({
    action,
    agentUrl: settings.agentUrl,
    datacenter: settings.datacenter,
    hasToken: settings.token !== undefined,
    secrets: settings.token !== undefined ? [settings.token] : [],
  });
  // Consul keeps its catalog across agent restarts: an empty answer is believed.
  const cache = new InstanceCache({
    registry: 'consul',
    logger,
    outage,
    emptyListProtection: 'off',
    feed: consulFeed({ api: client, outage, errorContext }),
  });
  const registrations = new Map<string, Registration>();
  let closed = false;
  let closing: Promise<void> | undefined;

  const registry = {
    name: 'consul',

    async getInstances(
      serviceName: string,
      opts?: { signal?: AbortSignal },
    ): Promise<readonly ServiceInstance[]> {
      if (closed) throw new ClosedError('consul registry');
      checkServiceName(serviceName);
      const cached = cache.get(serviceName);
      if (cached) return cached;
      opts?.signal?.throwIfAborted();
      // The caller's signal ends only its wait; the first query goes on and fills the cache.
      return cache.load(serviceName, opts?.signal);
    },

    getCachedInstances(serviceName: string): readonly ServiceInstance[] | undefined {
      return cache.get(serviceName);
    },

    subscribe(serviceName: string, listener: InstancesListener): () => void {
      if (closed) throw new ClosedError('consul registry');
      checkServiceName(serviceName);
      if (typeof listener !== 'function') {
        throw new RegistryError(
          'consul',
          `subscribe('${serviceName}', listener): listener must be a function`,
        );
      }
      return cache.subscribe(serviceName, listener);
    },

    async register(instance: InstanceRegistration): Promise<void> {
      if (closed) throw new ClosedError('consul registry');
      const definition = toDefinition(instance, settings);
      const id = definition.ID;
      const ttlMs = settings.check.type === 'ttl' ? settings.check.intervalMs : undefined;
      const registration = new Registration(definition, ttlMs, {
        api: client(),
        outage,
        logger,
        errorContext,
      });
      void registrations.get(id)?.stop();
      registrations.set(id, registration);
      try {
        await registration.start();
      } catch (err) {
        void registration.stop();
        if (registrations.get(id) === registration) registrations.delete(id);
        throw err instanceof RegistryError ? err : toRegistryError(err, errorContext(`registering '${id}'`));
      }
      if (closed) {
        // close() ran while this registration was on its way: its deregistration may have reached
        // the agent first, so take the instance back once more.
        await registration.stop();
        await deregisterId(id).catch(() => {});
        throw new ClosedError('consul registry');
      }
      logger.info(
        `[consul] registered '${id}' (${definition.Address}:${definition.Port}) as '${definition.Name}'`,
        {
          registry: 'consul',
        },
      );
    },

    async deregister(instance: InstanceRegistration): Promise<void> {
      if (closed) throw new ClosedError('consul registry');
      const id = serviceIdOf(instance);
      const registration = registrations.get(id);
      registrations.delete(id);
      await registration?.stop();
      await deregisterId(id);
    },

    close(): Promise<void> {
      closing ??= (async () => {
        closed = true;
        cache.close();
        const own = [...registrations.values()];
        registrations.clear();
        await Promise.all(own.map((r) => r.stop()));
        const results = await Promise.allSettled(own.map((r) => deregisterId(r.definition.ID)));
        for (const [i, result] of results.entries()) {
          if (result.status === 'rejected') {
            logger.warn(
              `${(result.reason as Error).message}; '${own[i]!.definition.ID}' stays in Consul until its check turns critical and DeregisterCriticalServiceAfter passes`,
              { registry: 'consul' },
            );
          }
        }
        api?.destroy();
      })();
      return closing;
    },

    toString(): string {
      return `consulRegistry(${settings.agentUrl})`;
    },
  } satisfies ConsulRegistry & { toString(): string };

  async function deregisterId(id: string): Promise<void> {
    try {
      await client().deregister(id);
    } catch (err) {
      // The agent no longer knows it (it restarted, or reaped a critical instance): already done.
      if (statusOf(err) === 404) return;
      throw toRegistryError(err, errorContext(`deregistering '${id}'`));
    }
  }

  return registry;
}

/** `{app-name}-{ip}-{port}` unless the registration brings its own id. */
function serviceIdOf(instance: InstanceRegistration): string {
  return instance.id ?? `${instance.serviceName}-${instance.host}-${instance.port}`;
}

function toDefinition(instance: InstanceRegistration, settings: NormalizedOptions): ServiceDefinition {
  if (typeof instance !== 'object' || instance === null) {
    throw new RegistryError('consul', 'register(instance): instance must be an object');
  }
  checkServiceName(instance.serviceName);
  const what = `register('${instance.serviceName}')`;
  if (typeof instance.host !== 'string' || instance.host === '') {
    throw new RegistryError(
      'consul',
      `${what}: host must be a non-empty string, got ${JSON.stringify(instance.host)}`,
    );
  }
  if (!Number.isInteger(instance.port) || instance.port < 1 || instance.port > 65535) {
    throw new RegistryError(
      'consul',
      `${what}: port must be an integer 1-65535, got ${JSON.stringify(instance.port)}`,
    );
  }
  const weight = instance.weight ?? settings.weight;
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
    throw new RegistryError(
      'consul',
      `${what}: weight must be a finite number >= 0, got ${JSON.stringify(weight)}`,
    );
  }
  if (instance.id !== undefined && (typeof instance.id !== 'string' || instance.id === '')) {
    throw new RegistryError('consul', `${what}: id must be a non-empty string when given`);
  }
  const id = serviceIdOf(instance);
  const meta: Record<string, string> = {
    ...settings.meta,
    ...instance.metadata,
    [WEIGHT_META]: String(weight),
  };
  if (instance.secure) meta[SECURE_META] = 'true';
  const { check } = settings;
  const scheme = instance.secure ? 'https' : 'http';
  const host = instance.host.includes(':') ? `[${instance.host}]` : instance.host;
  const definition: ServiceDefinition = {
    ID: id,
    Name: instance.serviceName,
    Address: instance.host,
    Port: instance.port,
    Tags: [...settings.tags],
    Meta: meta,
    // Consul's weights are integers >= 1; the exact weight travels in meta.
    Weights: { Passing: Math.max(1, Math.round(weight)), Warning: 1 },
    Check:
      check.type === 'ttl'
        ? {
            CheckID: `service:${id}`,
            Name: `service-caller TTL of '${id}'`,
            TTL: `${check.intervalMs}ms`,
            DeregisterCriticalServiceAfter: `${check.deregisterCriticalAfterMs}ms`,
          }
        : {
            CheckID: `service:${id}`,
            Name: `HTTP ${check.path} of '${id}'`,
            HTTP: `${scheme}://${host}:${instance.port}${check.path}`,
            Interval: `${check.intervalMs}ms`,
            Timeout: `${Math.min(check.intervalMs, 10_000)}ms`,
            DeregisterCriticalServiceAfter: `${check.deregisterCriticalAfterMs}ms`,
          },
  };
  if (settings.namespace !== undefined) definition.Namespace = settings.namespace;
  if (settings.partition !== undefined) definition.Partition = settings.partition;
  return definition;
}

function checkServiceName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name === '') {
    throw new RegistryError(
      'consul',
      `a service name must be a non-empty string, got ${JSON.stringify(name)}`,
    );
  }
}
