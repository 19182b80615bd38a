import { type LiveConfig, type ServiceCallerConfig, selectedRegistry } from '@service-caller/config-yaml';
import {
  type CallEngine,
  ConfigError,
  consoleLogger,
  createCallEngine,
  createLoadBalancer,
  type InstanceRegistration,
  type LoadBalancer,
  type Logger,
  type ServiceRegistry,
  staticRegistry,
  type Transport,
} from '@service-caller/core';
import { describeKind } from '@service-caller/core/adapter';
import type { ServiceManagerOptions } from './options.js';
import { registrationFromConfig } from './registration.js';
import { createAdapterRegistry } from './registry-adapter.js';
import { balancerOptions, resilienceOptions } from './resilience-settings.js';
import { deepFreeze, OPTIONS_SOURCE, resolveConfig } from './resolve-config.js';
import type { Wiring } from './wiring.js';

/*
 * Building a ServiceManager's parts from its options and config, and releasing them again. The
 * manager itself (service-manager.ts) only holds the parts and routes calls to the engine.
 */

/** What the manager holds once built; `owned*` says what `close()` must close. */
export interface ManagerParts {
  readonly config: ServiceCallerConfig;
  /** The whole merged config when it is fixed (a config object, or no config). */
  readonly merged: unknown;
  /** The config that follows its config sources (from `configDir`); closed with the parts. */
  readonly live: LiveConfig<unknown> | undefined;
  readonly engine: CallEngine;
  readonly registry: ServiceRegistry;
  readonly ownsRegistry: boolean;
  readonly transportName: string;
  readonly loadBalancerName: string;
  readonly registration: InstanceRegistration | undefined;
  readonly logger: Logger;
}

/** Builds every part; on a failure, releases what was built so far and rethrows. */
export async function buildParts(
  options: ServiceManagerOptions<never>,
  wiring: Wiring,
): Promise<ManagerParts> {
  checkInjected(options);
  const logger = options.logger ?? consoleLogger('warn');
  const { config, source, merged, live } = await resolveConfig(options, logger, wiring);
  // The config's lb-type is checked here, where the registered balancer names are known.
  const loadBalancer =
    options.loadBalancer === undefined
      ? createLoadBalancer(config.serviceCaller.lbType, {
          file: source,
          keyPath: options.config === undefined ? 'service-caller.lb-type' : 'serviceCaller.lbType',
          ...(config.serviceCaller.consistentHash === undefined
            ? {}
            : { options: balancerOptions(config.serviceCaller) }),
        })
      : pickLoadBalancer(options.loadBalancer);
  const selected = selectedRegistry(config);
  const registration = registrationFromConfig(config, selected);
  const resilience = resilienceOptions(
    config,
    { file: source, style: options.config === undefined ? 'yaml' : 'camel' },
    options.filters,
  );

  const cleanups: Array<() => Promise<void>> = [];
  if (live !== undefined) cleanups.push(() => live.close());
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
        ? wiring.createTransport(
            {
              connections: settings.connectionPoolSize,
              connectTimeout: settings.connectionTimeout * 1000,
              readTimeout: settings.readTimeout * 1000,
              maxResponseSize: settings.maxResponseSize,
            },
            logger,
          )
        : keepOpen(options.transport);
    const transportCleanup = cleanups.push(() => transport.close()) - 1;

    const engine = createCallEngine({
      discovery: registry,
      transport,
      loadBalancer,
      logger,
      ...resilience,
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
      merged,
      live,
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

/**
 * Releases what {@link buildParts} built, for `close()`: deregisters this service (a failure is
 * logged, not thrown: the registry's own expiry removes it), closes the engine (which waits for
 * calls in flight, then closes the transport), then the registry if the manager built it.
 * Rejects with the first close failure.
 */
export async function shutdownParts(parts: ManagerParts): Promise<void> {
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
  await parts.live?.close().catch((error: unknown) => failures.push(error));
  if (failures.length > 0) throw failures[0];
}

function pickLoadBalancer(choice: LoadBalancer | string): LoadBalancer {
  // A name: built-in or registered, with a "did you mean" for a near miss.
  if (typeof choice === 'string')
    return createLoadBalancer(choice, { file: OPTIONS_SOURCE, keyPath: 'loadBalancer' });
  if (typeof choice === 'object' && choice !== null && typeof choice.pick === 'function') return choice;
  throw new ConfigError({
    file: OPTIONS_SOURCE,
    keyPath: 'loadBalancer',
    expected: 'a LoadBalancer (with pick()) or a load balancer name',
    found: choice === null ? 'null' : typeof choice,
  });
}

/** What an injected part must have: checked before anything is built. */
const INJECTED: ReadonlyArray<readonly ['logger' | 'registry' | 'transport', string, readonly string[]]> = [
  ['logger', 'a Logger (debug, info, warn, error)', ['debug', 'info', 'warn', 'error']],
  ['registry', 'a ServiceRegistry (getInstances, register, deregister, close)', ['getInstances']],
  ['transport', 'a Transport (send, close)', ['send', 'close']],
];

function checkInjected(options: ServiceManagerOptions<never>): void {
  for (const [key, expected, methods] of INJECTED) {
    const value: unknown = options[key];
    if (value === undefined) continue;
    const missing =
      typeof value === 'object' && value !== null
        ? methods.filter((name) => typeof (value as Record<string, unknown>)[name] !== 'function')
        : undefined;
    if (missing?.length === 0) continue;
    throw new ConfigError({
      file: OPTIONS_SOURCE,
      keyPath: key,
      expected,
      found: missing === undefined ? describeKind(value) : `an object without ${missing.join(', ')}`,
    });
  }
}

/** The user's transport behind a `close` that does nothing: what was passed in, the user closes. */
function keepOpen(transport: Transport): Transport {
  const kept: Transport = {
    name: transport.name,
    send: (request) => transport.send(request),
    close: async () => {},
  };
  // The optional buffered path, when the transport has one.
  if (typeof transport.sendBuffered === 'function') {
    kept.sendBuffered = (request) => transport.sendBuffered!(request);
  }
  // The requests pass through unchanged, so a transport that takes the abort hook still gets it.
  if (transport.usesAbortHook === true) (kept as { usesAbortHook?: boolean }).usesAbortHook = true;
  return kept;
}
