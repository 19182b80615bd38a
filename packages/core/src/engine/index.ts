export { createCallEngine } from './call-engine.js';
export {
  createRequestContext,
  finishAttempt,
  type RequestContextInit,
  startAttempt,
} from './context.js';
export { consoleLogger, type LogLevel, silentLogger } from './logger.js';
export { isResponseParseError, parseBody, ResponseParseError } from './parse-body.js';
