import type { ServiceInstance } from '../contracts/instance.js';

/**
 * Whether two instances look the same to a caller: id, service, address, weight, health, TLS
 * and metadata. Registries use it for change detection, to keep handing out the same objects
 * (and the same array) while a refresh changed nothing, as the discovery contract asks.
 */
export function sameInstance(a: ServiceInstance, b: ServiceInstance): boolean {
  if (
    a.id !== b.id ||
    a.host !== b.host ||
    a.port !== b.port ||
    a.weight !== b.weight ||
    a.healthy !== b.healthy ||
    a.secure !== b.secure ||
    a.serviceName !== b.serviceName
  ) {
    return false;
  }
  const keys = Object.keys(a.metadata);
  if (keys.length !== Object.keys(b.metadata).length) return false;
  return keys.every((key) => a.metadata[key] === b.metadata[key]);
}
