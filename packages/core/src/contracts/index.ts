export type {
  AttemptOutcome,
  LoadBalancer,
  LoadBalancerName,
  LoadBalancerType,
  Pick,
  PickContext,
} from './balancer.js';
export type { ConfigDocument, ConfigSource } from './config-source.js';
export type { CallAttempt, RequestContext } from './context.js';
export type { InstancesListener, ServiceDiscovery, ServiceRegistrar, ServiceRegistry } from './discovery.js';
export type { InstanceFilter } from './filter.js';
export type { EjectionEvent, EjectionReason, OutlierEjectionOptions } from './health.js';
export type { InstanceRegistration, ServiceInstance } from './instance.js';
export type { ServiceInterceptor } from './interceptor.js';
export type { Logger } from './logger.js';
export type { CallOptions, HttpMethod, QueryParams } from './request.js';
export type { RetryBackoff, RetryBudgetOptions, RetryFailure, RetryOn, RetryOptions } from './retry.js';
export type { EngineSnapshot, InstanceSnapshot, RecentFigures, ServiceSnapshot } from './snapshot.js';
export type {
  AbortHook,
  AbortHookListener,
  BufferedResponse,
  IncomingHeaders,
  OutgoingHeaders,
  RawResponse,
  RequestBody,
  Transport,
  TransportRequest,
} from './transport.js';
export { DEFAULT_MAX_RESPONSE_SIZE } from './transport.js';
