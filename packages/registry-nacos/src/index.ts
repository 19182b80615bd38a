export { type NacosConfigSourceOptions, nacosConfigSource } from './config/nacos-config-source.js';
export { nacosRegistry } from './nacos-registry.js';
export type { NacosClientInstance, NacosNamingClientLike } from './official-client.js';
export type { NacosApiVersion, NacosRegistrationMode, NacosRegistryOptions } from './options.js';
