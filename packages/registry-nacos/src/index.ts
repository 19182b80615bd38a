export { nacosRegistry } from './nacos-registry.js';
export type { NacosClientInstance, NacosNamingClientLike } from './official-client.js';
export type { NacosApiVersion, NacosRegistryOptions } from './options.js';
