import type { CryptoOptions, ServiceCallerConfigInput } from '@service-caller/config-yaml';
import type {
  CallOptions,
  InstanceFilter,
  LoadBalancer,
  LoadBalancerName,
  Logger,
  ServiceInterceptor,
  ServiceRegistry,
  Transport,
} from '@service-caller/core';
import type { StandardSchemaV1 } from '@standard-schema/spec';

/**
 * Options of `ServiceManager.create`. Give `configDir` or `config` (not both), or neither for
 * the defaults: the static registry with no services, round robin, 6 s connect and read timeouts.
 */
export interface ServiceManagerOptions<Schema extends StandardSchemaV1 | undefined = undefined> {
  /**
   * Folder holding `application.yaml` and, for a profile, `application-{profile}.yaml`.
   * Excludes `config`.
   */
  configDir?: string;
  /**
   * The profile whose `application-{profile}.yaml` overlays `application.yaml`; only with `configDir`.
   * @default `APP_PROFILE`, else `SPRING_PROFILES_ACTIVE`, else the `profile` key of application.yaml, else none
   */
  profile?: string;
  /**
   * More files merged over the base and profile files, after the YAML's own `extend-profiles`
   * (so these win): `'file:./demo.yaml,dev-ext'` or a list. Only with `configDir`.
   */
  extendProfiles?: string | readonly string[];
  /** Concatenate lists that two files both set, instead of replacing (the Python `config_merge_list`). @default false */
  mergeLists?: boolean;
  /** Unknown keys of this project's sections are errors, not warnings. Only with `configDir`. @default false */
  strict?: boolean;
  /**
   * The key for `{encrypted}` values. Only with `configDir`.
   * @default from the SERVICE_CALLER_CRYPTO_* variables, else none (an `{encrypted}` value is then an error)
   */
  crypto?: CryptoOptions;
  /**
   * A Standard Schema (zod, valibot, ...) for the whole merged config, keys as in the YAML:
   * `manager.config` is its output, and its issues fail `create` with a `ConfigError`. Only with `configDir`.
   */
  schema?: Schema;
  /**
   * The same settings as the YAML, as an object with camelCase keys and times in seconds, e.g.
   * `{ serviceCaller: { lbType: 'random', readTimeout: 6 }, appRegistry: { static: { services: {...} } } }`.
   * Validated like a file. Excludes `configDir`.
   */
  config?: ServiceCallerConfigInput;
  /**
   * The registry to use instead of the one the config names. Yours to close: `close()` only
   * deregisters what the manager registered in it.
   */
  registry?: ServiceRegistry;
  /**
   * The transport to use instead of undici built from `service-caller.*`. Yours to close.
   * @default undiciTransport with the config's pool size and timeouts
   */
  transport?: Transport;
  /** A balancer, or the name of a built-in or registered one, instead of `service-caller.lb-type`. */
  loadBalancer?: LoadBalancer | LoadBalancerName;
  /**
   * Filters in front of the balancer, run on every attempt after outlier ejection and zone
   * affinity (see `InstanceFilter`). @default none
   */
  filters?: readonly InstanceFilter[];
  /** Interceptors to start with (sorted by `order`; a repeated name is ignored). @default [] */
  interceptors?: readonly ServiceInterceptor[];
  /** Where warnings go (config warnings, interceptor failures, deregistration failures). @default consoleLogger('warn') */
  logger?: Logger;
  /** Variables for `${NAME:default}` in the YAML files, the profile and the crypto key. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Options of one call through the manager. */
export type RequestOptions = CallOptions;

/** Options of one raw call: like {@link RequestOptions}, but a raw call never throws for a status. */
export type RawRequestOptions = Omit<CallOptions, 'throwHttpErrors'>;
