export type { CryptoAlgorithm, CryptoOptions } from './crypto/decryptor.js';
export {
  type ConfigSourceFactory,
  type LoadConfigOptions,
  loadConfig,
  type MergedOf,
} from './load-config.js';
export { type ParseConfigOptions, parseConfig } from './parse-config.js';
export { redactConfig } from './secrets.js';
export { selectedRegistry } from './selected-registry.js';
export type * from './types.js';
export { type ConfigChange, type LiveConfig, watchConfig } from './watch-config.js';
