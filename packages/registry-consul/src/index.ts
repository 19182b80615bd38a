export { type ConsulRegistry, consulRegistry } from './consul-registry.js';
export type { ConsulCheckOptions, ConsulRegistryOptions } from './options.js';
