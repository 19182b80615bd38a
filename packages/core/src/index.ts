export * from './balancers/index.js';
export * from './client/index.js';
export * from './contracts/index.js';
// Named, not `export *`: the engine's folder also holds createRequestContext, startAttempt and
// finishAttempt, which are for adapter authors (`@service-caller/core/adapter`). test/entry-points.test.ts checks that
// nothing else of the folder's exports is missing here.
export {
  consoleLogger,
  createCallEngine,
  DEFAULT_OUTLIER_EJECTION,
  DEFAULT_RETRY,
  DEFAULT_RETRY_BUDGET,
  isResponseParseError,
  type LogLevel,
  parseBody,
  ResponseParseError,
  silentLogger,
} from './engine/index.js';
export type { CallEngine, CallEngineOptions } from './engine/types.js';
export * from './errors/index.js';
export * from './filters/index.js';
export { HTTP_METHODS, isHttpMethod } from './http/methods.js';
export {
  type StaticInstanceInput,
  type StaticRegistry,
  type StaticRegistryOptions,
  staticRegistry,
} from './registry/static-registry.js';
