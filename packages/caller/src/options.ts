import type { ServiceCallerConfigInput } from '@service-caller/config-yaml';
import type {
  CallOptions,
  LoadBalancer,
  LoadBalancerType,
  Logger,
  ServiceInterceptor,
  ServiceRegistry,
  Transport,
} from '@service-caller/core';

/**
 * Options of `ServiceManager.create`. Give `configDir` or `config` (not both), or neither for
 * the defaults: the static registry with no services, round robin, 6 s connect and read timeouts.
 */
export interface ServiceManagerOptions {
  /**
   * Folder holding `application.yaml` and, for a profile, `application-{profile}.yaml`.
   * Excludes `config`.
   */
  configDir?: string;
  /**
   * The profile whose `application-{profile}.yaml` overlays `application.yaml`; only with `configDir`.
   * @default the `APP_PROFILE` environment variable, else none
   */
  profile?: string;
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
  /** A balancer, or the name of a built-in one, instead of `service-caller.lb-type`. */
  loadBalancer?: LoadBalancer | LoadBalancerType;
  /** Interceptors to start with (sorted by `order`; a repeated name is ignored). @default [] */
  interceptors?: readonly ServiceInterceptor[];
  /** Where warnings go (config warnings, interceptor failures, deregistration failures). @default consoleLogger('warn') */
  logger?: Logger;
  /** Variables for `${NAME:default}` in the YAML files and for `APP_PROFILE`. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Options of one call through the manager. */
export type RequestOptions = CallOptions;

/** Options of one raw call: like {@link RequestOptions}, but a raw call never throws for a status. */
export type RawRequestOptions = Omit<CallOptions, 'throwHttpErrors'>;
