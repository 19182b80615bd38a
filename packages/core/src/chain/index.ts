export { runAfterAttempt, runBeforeAttempt } from './attempt-stages.js';
export { runOnEjection } from './ejection-stage.js';
export { InterceptorChain } from './interceptor-chain.js';
export { runAfterResponse, runBeforeRequest, runHandleException } from './run-stages.js';
