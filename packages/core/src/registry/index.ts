export { sameInstance } from './same-instance.js';
export {
  type StaticInstanceInput,
  type StaticRegistry,
  type StaticRegistryOptions,
  staticRegistry,
} from './static-registry.js';
