export * from './contracts/index.js';
export * from './errors/index.js';
export type { CallEngine, CallEngineOptions } from './engine/types.js';
