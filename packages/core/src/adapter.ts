/**
 * `@service-caller/core/adapter`: what authors of registries, transports, interceptors and
 * test kits build with, kept off the root export so that an application's autocomplete shows
 * only what an application uses. Runs on any runtime with `fetch` (no Node built-in modules).
 *
 * @example
 * ```ts
 * import { optionReader, withoutQuery } from '@service-caller/core/adapter';
 * ```
 * @module
 */

export * from './chain/index.js';
export {
  createRequestContext,
  finishAttempt,
  type RequestContextInit,
  startAttempt,
} from './engine/index.js';
export { BufferedResponseBase } from './http/buffered-response-base.js';
export { hasHeader } from './http/headers.js';
export { withoutQuery } from './http/url.js';
export * from './options/index.js';
export {
  type EmptyListProtection,
  InstanceCache,
  type InstanceCacheOptions,
  type InstanceFeed,
  type InstanceSink,
  type ServiceFeed,
} from './registry/instance-cache.js';
export { OutageLog, type OutageLogOptions } from './registry/outage-log.js';
export { type PollingFeedOptions, pollingFeed } from './registry/polling-feed.js';
export { reconcileInstances } from './registry/reconcile-instances.js';
export { sameInstance } from './registry/same-instance.js';
export * from './secrets/index.js';
