import type { HttpMethod, LoadBalancerName } from '@service-caller/core';

/**
 * The validated configuration, camelCase. Times are in seconds, as in the YAML (the seed's
 * convention); the facade converts them to milliseconds for the transport.
 */
export interface ServiceCallerConfig {
  /** `profile` (top level of `application.yaml`): the profile when nothing else names one. */
  profile?: string;
  /** `extend-profiles`: more files merged over the base and profile files. */
  extendProfiles?: string | string[];
  serviceCaller: ServiceCallerSettings;
  appRegistry: AppRegistryConfig;
  /** `config-sources`: remote configuration merged over the local files. */
  configSources?: ConfigSourcesConfig;
}

/** `config-sources.*` */
export interface ConfigSourcesConfig {
  nacos?: NacosConfigSourceConfig;
}

/** `config-sources.nacos.*`: the Nacos config centre, keys as in the Python library plus a few of our own. */
export interface NacosConfigSourceConfig {
  /** `server-addr`: `host:port`, or several comma-separated. */
  serverAddr: string;
  /** @default 'public' */
  namespace: string;
  /** @default 'DEFAULT_GROUP' */
  group: string;
  username?: string;
  /** Secret: never printed. */
  password?: string;
  /** With `secretKey`, config requests are signed as the official clients sign them. Secret. */
  accessKey?: string;
  /** Secret: never printed. */
  secretKey?: string;
  /** Refused when set (an address server is not supported); always absent here. */
  endpoint?: undefined;
  /** Watch the imports and update the merged config on change. @default true */
  autoRefresh: boolean;
  /** The YAML data ids, in merge order (later wins). @default [] */
  imports: { dataId: string }[];
  /** Talk to Nacos over https. @default false */
  secure: boolean;
  /** Seconds the first fetch may take when Nacos is down. @default 10 */
  startTimeout: number;
  /** Folder of the snapshot used when Nacos is down at start. */
  cacheDir?: string;
}

/** `service-caller.*` */
export interface ServiceCallerSettings {
  /**
   * `service-caller.lb-type`: a built-in balancer or one a package registered (checked when the
   * manager is built). @default 'round_robin'
   */
  lbType: LoadBalancerName;
  /** `service-caller.connection-timeout`, seconds. @default 6 */
  connectionTimeout: number;
  /** `service-caller.read-timeout`, seconds. @default 6 */
  readTimeout: number;
  /**
   * `service-caller.timeout`, seconds: the total bound of every call that sets no `timeout`
   * (all attempts, waits and the body together). @default 30
   */
  timeout: number;
  /**
   * `service-caller.close-timeout`, seconds `close()` waits for calls in flight before it aborts
   * them with `ClosedError`. @default 10 (core's)
   */
  closeTimeout?: number;
  /** `service-caller.connection-pool-size`: connections per origin. @default 100 */
  connectionPoolSize: number;
  /** `service-caller.max-response-size`: the largest response body, in bytes. @default 67108864 (64 MiB) */
  maxResponseSize: number;
  /** `service-caller.throw-http-errors`: a non-2xx answer throws `HttpStatusError` unless a call says otherwise. @default true (core's) */
  throwHttpErrors?: boolean;
  /**
   * `service-caller.strict-options`: a call option the engine does not know (`params`, `data`, a
   * typo) fails the call with `InvalidRequestError` instead of one warning per key. @default false (core's)
   */
  strictOptions?: boolean;
  /** `service-caller.retry`: core's retry settings, times in seconds. @default core's (`DEFAULT_RETRY`) */
  retry?: RetryConfig;
  /** `service-caller.retry-budget`. @default core's (20%, 10 a second) */
  retryBudget?: RetryBudgetConfig;
  /** `service-caller.per-try-timeout`, seconds one attempt may take. @default none */
  perTryTimeout?: number;
  /** `service-caller.hedge-delay`, seconds before a hedged attempt (idempotent calls only). @default none: no hedging */
  hedgeDelay?: number;
  /** `service-caller.outlier-ejection`, times in seconds. @default on, with core's settings */
  outlierEjection?: OutlierEjectionConfig;
  /** `service-caller.zone-affinity`: prefer the instances of this service's zone. @default off */
  zoneAffinity?: ZoneAffinityConfig;
  /** `service-caller.consistent-hash`: where `lb-type: consistent_hash` reads each call's key. */
  consistentHash?: ConsistentHashConfig;
}

/** `service-caller.retry.*`: every key optional, core's defaults for the others; times in seconds. */
export interface RetryConfig {
  attempts?: number;
  backoff?: { base?: number; max?: number };
  /** Failures (`connect-failure`, `reset`, `timeout`) and statuses (400-599). */
  retryOn?: Array<'connect-failure' | 'reset' | 'timeout' | number>;
  methods?: HttpMethod[];
  retryAfterMax?: number;
}

/** `service-caller.retry-budget.*` */
export interface RetryBudgetConfig {
  /** @default true */
  enabled: boolean;
  percent?: number;
  minPerSecond?: number;
}

/** `service-caller.outlier-ejection.*`, times in seconds. */
export interface OutlierEjectionConfig {
  /** @default true */
  enabled: boolean;
  consecutiveFailures?: number;
  ejectOnConnectFailure?: boolean;
  baseEjectionTime?: number;
  maxEjectionTime?: number;
  maxEjectionPercent?: number;
}

/** `service-caller.zone-affinity.*` */
export interface ZoneAffinityConfig {
  /** This service's zone. @default this service's own `metadata[metadata-key]` (Nacos `metadata`, Consul `meta`) */
  zone?: string;
  /** @default 'zone' */
  metadataKey: string;
  /** @default 1 */
  minInstances: number;
}

/** `service-caller.consistent-hash.*`: exactly one of `header` and `query`. */
export interface ConsistentHashConfig {
  header?: string;
  query?: string;
  pointsPerInstance?: number;
}

/** `app-registry.*`: at most one of `nacos` / `consul`; `static` is the embedded default. */
export interface AppRegistryConfig {
  nacos?: NacosConfig;
  consul?: ConsulConfig;
  static?: StaticRegistryConfig;
}

/** `app-registry.nacos.*`, keys as in the seed plus a few of our own. */
export interface NacosConfig {
  /** `server-addr`: `host:port`, or several comma-separated. */
  serverAddr: string;
  /** @default 'public' */
  namespace: string;
  /** @default 'DEFAULT' */
  /** This instance's cluster (`DEFAULT` when unset); when set, the only cluster discovery lists. */
  cluster?: string;
  /** @default 'DEFAULT_GROUP' */
  group: string;
  /** This service's own address; auto-detected when absent. */
  ip?: string;
  /** This service's own port; registration happens only when `appName` and `port` are set. */
  port?: number;
  /** This service's name in the registry. */
  appName?: string;
  username?: string;
  /** Secret: never printed. */
  password?: string;
  /** Refused when set: naming requests are not signed (see the README). Always absent here. */
  accessKey?: undefined;
  /** Refused when set, like `accessKey`. */
  secretKey?: undefined;
  /** This instance's weight, 0-10000 (Nacos' own range). @default 1 */
  weight: number;
  /** Registered with this instance. */
  metadata?: Record<string, string>;
  /** @default true */
  ephemeral?: boolean;
  /** Talk to Nacos over https. @default false */
  secure?: boolean;
  /** Seconds between heartbeats (v1 API). @default 5 */
  heartbeatInterval?: number;
  /** @default 'auto' */
  apiVersion?: 'auto' | 'v1' | 'v3' | 'grpc';
  /** When Nacos cannot be reached at start: fail, or register in the background. @default 'fail-fast' */
  registration?: 'fail-fast' | 'background';
}

/** `app-registry.consul.*` */
export interface ConsulConfig {
  /** @default '127.0.0.1' */
  host: string;
  /** Consul agent HTTP port. @default 8500 */
  port: number;
  /** https to the agent. @default false */
  secure: boolean;
  /** ACL token. Secret: never printed. */
  token?: string;
  datacenter?: string;
  /** This service's name in the registry. */
  appName?: string;
  /** This service's own address; auto-detected when absent. */
  ip?: string;
  /** This service's own port (`service-port`; `port` is the agent's). */
  servicePort?: number;
  tags?: string[];
  meta?: Record<string, string>;
  /** `Weights.Passing`, a whole number from 1. @default 1 */
  weight: number;
  /** Filled with its defaults when absent. */
  check?: {
    /** @default 'ttl' */
    type: 'ttl' | 'http';
    /** Seconds: the TTL, or the HTTP check interval. @default 10 */
    interval: number;
    /** HTTP check path on this service. @default '/health' */
    path?: string;
    /** Seconds after which a critical instance is deregistered. @default 60 */
    deregisterCriticalAfter?: number;
  };
}

/** One instance of `app-registry.static.services.<name>`. */
export interface StaticInstanceConfig {
  host: string;
  port: number;
  /** @default 1 (always filled in by the loader) */
  weight?: number;
  /** The instance serves https. @default the call's `protocol`, else http */
  secure?: boolean;
  metadata?: Record<string, string>;
}

/** `app-registry.static.*` */
export interface StaticRegistryConfig {
  services: Record<string, StaticInstanceConfig[]>;
}

/** A read-only view of a plain tree, all the way down. */
export type DeepReadonly<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends readonly (infer Item)[]
    ? readonly DeepReadonly<Item>[]
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;

/** What `loadConfig` returns. */
export interface LoadedConfig<Merged = DeepReadonly<Record<string, unknown>>> {
  /** This project's settings, validated, camelCase, defaults applied. */
  config: ServiceCallerConfig;
  /**
   * The whole merged configuration (the Python `ConfigManager.get_config()`): every key of every
   * file and config source, the application's own included, keys as written, `${}` expanded and
   * `{encrypted}` values decrypted. Deep-frozen. With the `schema` option, the schema's output.
   */
  merged: Merged;
  /**
   * What was read, in merge order: `application.yaml`, the profile's file, the `extend-profiles`
   * files (absolute paths), then the config sources' documents (`nacos:<namespace>/<group>/<data-id>`).
   */
  files: string[];
  /** The profile used, or `undefined` for none. */
  profile: string | undefined;
  /** Every warning (unknown keys, YAML warnings), each also sent to the logger once. */
  warnings: string[];
}

/**
 * What users may write as `ServiceManager.create({ config })`: every key optional where a default
 * exists. Numbers and booleans may also be given as strings (`'9999'`, `'true'`), as they arrive
 * from environment variables; `parseConfig` coerces them.
 */
export type ServiceCallerConfigInput = {
  serviceCaller?: Partial<Omit<ServiceCallerSettings, 'retryBudget' | 'outlierEjection' | 'zoneAffinity'>> & {
    retryBudget?: Partial<RetryBudgetConfig>;
    outlierEjection?: Partial<OutlierEjectionConfig>;
    zoneAffinity?: Partial<ZoneAffinityConfig>;
  };
  appRegistry?: {
    nacos?: Partial<NacosConfig> & { serverAddr: string };
    consul?: Partial<Omit<ConsulConfig, 'check'>> & { check?: Partial<NonNullable<ConsulConfig['check']>> };
    static?: { services?: Record<string, StaticInstanceConfig[]> };
  };
};
