export * from './balancers/index.js';
export * from './chain/index.js';
export * from './client/index.js';
export * from './contracts/index.js';
export * from './engine/index.js';
export type { CallEngine, CallEngineOptions } from './engine/types.js';
export * from './errors/index.js';
export * from './net/index.js';
export * from './registry/index.js';
