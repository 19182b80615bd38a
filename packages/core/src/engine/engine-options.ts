import type { LoadBalancer } from '../contracts/balancer.js';
import type { ServiceDiscovery } from '../contracts/discovery.js';
import type { InstanceFilter } from '../contracts/filter.js';
import type { ServiceInterceptor } from '../contracts/interceptor.js';
import type { Logger } from '../contracts/logger.js';
import type { Transport } from '../contracts/transport.js';
import { ConfigError } from '../errors/index.js';
import { describeValue } from '../options/describe-value.js';
import { consoleLogger } from './logger.js';
import type { CallEngineOptions } from './types.js';
import { MAX_TIMEOUT_MS } from './validate.js';

/** `CallEngineOptions` checked, with the defaults applied: the one place engine defaults live. */
export interface NormalizedEngineOptions {
  readonly discovery: ServiceDiscovery;
  readonly transport: Transport;
  readonly loadBalancer: LoadBalancer;
  /** The filter stage in front of the balancer, in order; empty for none. */
  readonly filters: readonly InstanceFilter[];
  readonly interceptors: readonly ServiceInterceptor[];
  readonly logger: Logger;
  /** The default total timeout in milliseconds, or `undefined` for none. */
  readonly timeout: number | undefined;
}

/** Checks what `createCallEngine` was given. Throws `ConfigError` naming the bad option. */
export function normalizeEngineOptions(options: CallEngineOptions): NormalizedEngineOptions {
  const bad = (keyPath: string, expected: string, found: unknown): never => {
    throw new ConfigError({
      file: '<createCallEngine>',
      keyPath,
      expected,
      found: describeValue(found, 'call'),
    });
  };
  if (typeof options !== 'object' || options === null) bad('options', 'an object', options);
  const { discovery, transport, loadBalancer, filters = [], interceptors = [], logger, timeout } = options;
  if (typeof discovery?.getInstances !== 'function') {
    bad('discovery', 'a ServiceDiscovery (an object with getInstances)', discovery);
  }
  if (typeof transport?.send !== 'function' || typeof transport.close !== 'function') {
    bad('transport', 'a Transport (an object with send and close)', transport);
  }
  if (typeof loadBalancer?.pick !== 'function') {
    bad('loadBalancer', 'a LoadBalancer (an object with pick)', loadBalancer);
  }
  if (!Array.isArray(filters)) bad('filters', 'an array of InstanceFilters', filters);
  filters.forEach((filter, i) => {
    if (typeof filter !== 'object' || filter === null) bad(`filters[${i}]`, 'an InstanceFilter', filter);
    if (typeof filter.name !== 'string' || filter.name.length === 0) {
      bad(`filters[${i}].name`, 'a non-empty string', filter.name);
    }
    if (typeof filter.filter !== 'function') bad(`filters[${i}].filter`, 'a function', filter.filter);
  });
  if (logger !== undefined) {
    for (const level of ['debug', 'info', 'warn', 'error'] as const) {
      if (typeof logger?.[level] !== 'function') bad(`logger.${level}`, 'a function', logger?.[level]);
    }
  }
  if (
    timeout !== undefined &&
    (typeof timeout !== 'number' || !(timeout > 0) || timeout > MAX_TIMEOUT_MS || !Number.isFinite(timeout))
  ) {
    bad('timeout', `a positive number of milliseconds up to ${MAX_TIMEOUT_MS}`, timeout);
  }
  return {
    discovery,
    transport,
    loadBalancer,
    filters: Object.freeze([...filters]),
    interceptors,
    logger: logger ?? consoleLogger(),
    timeout,
  };
}
