export { DEFAULT_OUTLIER_EJECTION } from '../filters/outlier-ejection.js';
export { createCallEngine } from './call-engine.js';
export {
  createRequestContext,
  finishAttempt,
  type RequestContextInit,
  startAttempt,
} from './context.js';
export { consoleLogger, type LogLevel, silentLogger } from './logger.js';
export { isResponseParseError, parseBody, ResponseParseError } from './parse-body.js';
export { DEFAULT_RETRY_BUDGET } from './retry-budget.js';
export { DEFAULT_RETRY } from './retry-policy.js';
