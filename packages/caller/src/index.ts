/**
 * `@service-caller/caller`: the package users install. `ServiceManager`, the built-in
 * interceptors, and everything of the core a user needs (errors, contracts, load balancers,
 * `staticRegistry`), so one import is enough.
 */

export type {
  AppRegistryConfig,
  ConfigChange,
  ConfigSourcesConfig,
  ConsulConfig,
  CryptoAlgorithm,
  CryptoOptions,
  DeepReadonly,
  NacosConfig,
  NacosConfigSourceConfig,
  ServiceCallerConfig,
  ServiceCallerConfigInput,
  ServiceCallerSettings,
  StaticInstanceConfig,
  StaticRegistryConfig,
} from '@service-caller/config-yaml';
export { redactConfig } from '@service-caller/config-yaml';
export * from '@service-caller/core';
export { type UndiciTransportOptions, undiciTransport } from '@service-caller/transport-undici';
export { AuthInterceptor, type AuthInterceptorOptions, type TokenSource } from './interceptors/auth.js';
export { LoggingInterceptor, type LoggingInterceptorOptions } from './interceptors/logging.js';
export {
  DEFAULT_LATENCY_BUCKETS,
  type LatencyBucket,
  type LatencyHistogram,
  MetricsInterceptor,
  type MetricsInterceptorOptions,
  type MetricsSnapshot,
  type ServiceMetrics,
} from './interceptors/metrics.js';
export type { RawRequestOptions, RequestOptions, ServiceManagerOptions } from './options.js';
export { ServiceManager } from './service-manager.js';
