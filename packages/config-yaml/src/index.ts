export { type LoadConfigOptions, loadConfig } from './load-config.js';
export { type ParseConfigOptions, parseConfig } from './parse-config.js';
export { redactConfig } from './secrets.js';
export { selectedRegistry } from './selected-registry.js';
export type * from './types.js';
