export { createCallEngine } from './call-engine.js';
export { createRequestContext, type RequestContextInit } from './context.js';
export { consoleLogger, type LogLevel, silentLogger } from './logger.js';
export { isResponseParseError, parseBody, ResponseParseError } from './parse-body.js';
