export {
  type StaticInstanceInput,
  type StaticRegistry,
  type StaticRegistryOptions,
  staticRegistry,
} from './static-registry.js';
