import type { ServiceCallerConfig, ServiceCallerSettings } from '@service-caller/config-yaml';
import {
  type CallEngineOptions,
  ConfigError,
  type InstanceFilter,
  type RetryOptions,
  zoneAffinity,
} from '@service-caller/core';

/** Seconds (the config's unit) as milliseconds (the engine's). */
const ms = (seconds: number | undefined) => (seconds === undefined ? undefined : seconds * 1000);

/** Only the keys that are set: the engine's defaults apply to the others. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function retryOptions(retry: NonNullable<ServiceCallerSettings['retry']>): RetryOptions {
  return defined({
    attempts: retry.attempts,
    backoff:
      retry.backoff === undefined
        ? undefined
        : defined({ base: ms(retry.backoff.base), max: ms(retry.backoff.max) }),
    retryOn: retry.retryOn,
    methods: retry.methods,
    retryAfterMax: ms(retry.retryAfterMax),
  });
}

/** Where the settings were read, to name a key in an error as the user wrote it. */
export interface SettingsSource {
  readonly file: string;
  /** `yaml`: `service-caller.zone-affinity.zone`; `camel`: `serviceCaller.zoneAffinity.zone`. */
  readonly style: 'yaml' | 'camel';
}

/**
 * The engine options `service-caller.*` gives besides the transport's and the balancer's: the
 * retry policy and budget, the per-try timeout and hedge delay, outlier ejection, the status
 * default, and the filter stage (zone affinity, then the user's own filters). Times in the config
 * are seconds; the engine takes milliseconds. Keys left unset leave the engine's defaults.
 */
export function resilienceOptions(
  config: ServiceCallerConfig,
  source: SettingsSource,
  userFilters: readonly InstanceFilter[] = [],
): Partial<CallEngineOptions> {
  const settings = config.serviceCaller;
  const filters: InstanceFilter[] = [];
  if (settings.zoneAffinity !== undefined) {
    const { zone, metadataKey, minInstances } = settings.zoneAffinity;
    const own = zone ?? ownMetadata(config)?.[metadataKey];
    if (own === undefined || own === '') {
      throw new ConfigError({
        file: source.file,
        keyPath:
          source.style === 'yaml' ? 'service-caller.zone-affinity.zone' : 'serviceCaller.zoneAffinity.zone',
        expected: `this service's zone, or a '${metadataKey}' in this service's own metadata (app-registry.nacos.metadata or app-registry.consul.meta)`,
        found: 'nothing',
      });
    }
    filters.push(zoneAffinity({ zone: own, metadataKey, minInstances }));
  }
  filters.push(...userFilters);
  const { retryBudget, outlierEjection } = settings;
  return defined({
    timeout: ms(settings.timeout),
    closeTimeout: ms(settings.closeTimeout),
    throwHttpErrors: settings.throwHttpErrors,
    strictOptions: settings.strictOptions,
    retry: settings.retry === undefined ? undefined : retryOptions(settings.retry),
    retryBudget:
      retryBudget === undefined
        ? undefined
        : retryBudget.enabled === false
          ? false
          : defined({ percent: retryBudget.percent, minPerSecond: retryBudget.minPerSecond }),
    perTryTimeout: ms(settings.perTryTimeout),
    hedgeDelay: ms(settings.hedgeDelay),
    outlierEjection:
      outlierEjection === undefined
        ? undefined
        : outlierEjection.enabled === false
          ? false
          : defined({
              consecutiveFailures: outlierEjection.consecutiveFailures,
              ejectOnConnectFailure: outlierEjection.ejectOnConnectFailure,
              baseEjectionTime: ms(outlierEjection.baseEjectionTime),
              maxEjectionTime: ms(outlierEjection.maxEjectionTime),
              maxEjectionPercent: outlierEjection.maxEjectionPercent,
            }),
    filters: filters.length === 0 ? undefined : filters,
  });
}

/** The metadata this service registers (or would) with its registry: where its zone is written. */
function ownMetadata(config: ServiceCallerConfig): Readonly<Record<string, string>> | undefined {
  return config.appRegistry.nacos?.metadata ?? config.appRegistry.consul?.meta;
}

/** The options `lb-type` passes to its balancer: `consistent_hash`'s key. */
export function balancerOptions(
  settings: ServiceCallerSettings,
): Readonly<Record<string, unknown>> | undefined {
  const hash = settings.consistentHash;
  if (hash === undefined) return undefined;
  return defined({
    key: hash.header !== undefined ? { header: hash.header } : { query: hash.query! },
    pointsPerInstance: hash.pointsPerInstance,
  });
}
