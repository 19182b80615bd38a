export * from './contracts/index.js';
export type { CallEngine, CallEngineOptions } from './engine/types.js';
export * from './errors/index.js';
// Implementations are exported from their own index files as they land:
// balancers (packages/core/src/balancers/index.ts), engine, chain, static registry.
