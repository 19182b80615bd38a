import type { LoadBalancer } from '../contracts/balancer.js';
import type { ServiceDiscovery } from '../contracts/discovery.js';
import type { InstanceFilter } from '../contracts/filter.js';
import type { OutlierEjectionOptions } from '../contracts/health.js';
import type { ServiceInterceptor } from '../contracts/interceptor.js';
import type { Logger } from '../contracts/logger.js';
import type { RetryBudgetOptions } from '../contracts/retry.js';
import type { Transport } from '../contracts/transport.js';
import { ConfigError } from '../errors/index.js';
import { DEFAULT_OUTLIER_EJECTION, type OutlierEjectionSettings } from '../filters/outlier-ejection.js';
import { describeValue } from '../options/describe-value.js';
import { consoleLogger } from './logger.js';
import { DEFAULT_RETRY_BUDGET, type RetryBudgetSettings } from './retry-budget.js';
import { DEFAULT_POLICY, type RetryPolicy, retryPolicy } from './retry-policy.js';
import type { CallEngineOptions } from './types.js';
import { MAX_TIMEOUT_MS } from './validate.js';

/** `CallEngineOptions` checked, with the defaults applied: the one place engine defaults live. */
export interface NormalizedEngineOptions {
  readonly discovery: ServiceDiscovery;
  readonly transport: Transport;
  readonly loadBalancer: LoadBalancer;
  /** The user's filters, in order (outlier ejection, when on, runs before them); empty for none. */
  readonly filters: readonly InstanceFilter[];
  readonly interceptors: readonly ServiceInterceptor[];
  readonly logger: Logger;
  /** The default total timeout in milliseconds, or `undefined` for none. */
  readonly timeout: number | undefined;
  readonly retry: RetryPolicy;
  /** `undefined` when retries are not budgeted. */
  readonly retryBudget: RetryBudgetSettings | undefined;
  readonly perTryTimeout: number | undefined;
  readonly hedgeDelay: number | undefined;
  /** `undefined` when outlier ejection is off. */
  readonly outlierEjection: OutlierEjectionSettings | undefined;
  readonly throwHttpErrors: boolean;
  readonly strictOptions: boolean;
  readonly closeTimeout: number;
}

const FILE = '<createCallEngine>';

/**
 * How long `close()` waits for calls in flight before it aborts them: as long as the undici
 * transport's own close bound, and within the 30 s a container is usually given to stop.
 */
export const DEFAULT_CLOSE_TIMEOUT = 10_000;

type Bad = (keyPath: string, expected: string, found: unknown) => never;

const bad: Bad = (keyPath, expected, found) => {
  throw new ConfigError({ file: FILE, keyPath, expected, found: describeValue(found, 'call') });
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isMilliseconds(value: unknown): value is number {
  return typeof value === 'number' && value > 0 && value <= MAX_TIMEOUT_MS && Number.isFinite(value);
}

/** Checks the keys of a settings object and each value with `check`; fills the rest from `defaults`. */
function settings<T extends Record<string, number | boolean>>(
  value: unknown,
  keyPath: string,
  defaults: T,
  check: (key: keyof T & string, value: unknown) => string | undefined,
): T {
  if (!isPlainObject(value)) return bad(keyPath, `an object of settings, or false`, value);
  const merged: Record<string, unknown> = { ...defaults };
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(defaults, key)) {
      throw new ConfigError({
        file: FILE,
        keyPath: `${keyPath}.${key}`,
        expected: `one of the keys ${Object.keys(defaults).join(', ')}`,
        found: `the key '${key}'`,
      });
    }
    const given = value[key];
    if (given === undefined) continue;
    const expected = check(key as keyof T & string, given);
    if (expected !== undefined) bad(`${keyPath}.${key}`, expected, given);
    merged[key] = given;
  }
  return Object.freeze(merged) as T;
}

const percent = (value: unknown) =>
  typeof value === 'number' && value >= 0 && value <= 100 ? undefined : 'a number from 0 to 100 (per cent)';

function checkBudget(value: RetryBudgetOptions | false | undefined): RetryBudgetSettings | undefined {
  if (value === false) return undefined;
  if (value === undefined) return DEFAULT_RETRY_BUDGET;
  return settings(value, 'retryBudget', DEFAULT_RETRY_BUDGET, (key, given) =>
    key === 'percent'
      ? percent(given)
      : typeof given === 'number' && given >= 0 && given <= 1_000_000 && Number.isFinite(given)
        ? undefined
        : 'a number of retries >= 0',
  );
}

function checkEjection(
  value: OutlierEjectionOptions | false | undefined,
): OutlierEjectionSettings | undefined {
  if (value === false) return undefined;
  if (value === undefined) return DEFAULT_OUTLIER_EJECTION;
  const checked = settings(value, 'outlierEjection', DEFAULT_OUTLIER_EJECTION, (key, given) => {
    switch (key) {
      case 'consecutiveFailures':
        return typeof given === 'number' && Number.isInteger(given) && given >= 1 && given <= 1_000_000
          ? undefined
          : 'a whole number of failures >= 1';
      case 'ejectOnConnectFailure':
        return typeof given === 'boolean' ? undefined : 'a boolean';
      case 'maxEjectionPercent':
        return percent(given);
      default:
        return isMilliseconds(given)
          ? undefined
          : `a positive number of milliseconds up to ${MAX_TIMEOUT_MS}`;
    }
  });
  if (checked.maxEjectionTime < checked.baseEjectionTime) {
    bad(
      'outlierEjection.maxEjectionTime',
      `a number of milliseconds >= baseEjectionTime (${checked.baseEjectionTime})`,
      checked.maxEjectionTime,
    );
  }
  return checked;
}

/** Checks what `createCallEngine` was given. Throws `ConfigError` naming the bad option. */
export function normalizeEngineOptions(options: CallEngineOptions): NormalizedEngineOptions {
  if (typeof options !== 'object' || options === null) bad('options', 'an object', options);
  const {
    discovery,
    transport,
    loadBalancer,
    filters = [],
    interceptors = [],
    logger,
    timeout,
    retry,
    retryBudget,
    perTryTimeout,
    hedgeDelay,
    outlierEjection,
    throwHttpErrors,
    strictOptions,
    closeTimeout,
  } = options;
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
  for (const [key, value] of [
    ['timeout', timeout],
    ['perTryTimeout', perTryTimeout],
    ['hedgeDelay', hedgeDelay],
    ['closeTimeout', closeTimeout],
  ] as const) {
    if (value !== undefined && !isMilliseconds(value)) {
      bad(key, `a positive number of milliseconds up to ${MAX_TIMEOUT_MS}`, value);
    }
  }
  if (throwHttpErrors !== undefined && typeof throwHttpErrors !== 'boolean') {
    bad('throwHttpErrors', 'a boolean', throwHttpErrors);
  }
  if (strictOptions !== undefined && typeof strictOptions !== 'boolean') {
    bad('strictOptions', 'a boolean', strictOptions);
  }
  return {
    discovery,
    transport,
    loadBalancer,
    filters: Object.freeze([...filters]),
    interceptors,
    logger: logger ?? consoleLogger(),
    timeout,
    retry: retryPolicy(retry, DEFAULT_POLICY, (keyPath, expected, found) => {
      throw new ConfigError({
        file: FILE,
        keyPath: keyPath === '' ? 'retry' : `retry.${keyPath}`,
        expected,
        found,
      });
    }),
    retryBudget: checkBudget(retryBudget),
    perTryTimeout,
    hedgeDelay,
    outlierEjection: checkEjection(outlierEjection),
    throwHttpErrors: throwHttpErrors ?? true,
    strictOptions: strictOptions ?? false,
    closeTimeout: closeTimeout ?? DEFAULT_CLOSE_TIMEOUT,
  };
}
