import type { ServiceInstance } from '@service-caller/core';
import type { NacosHost } from './naming-api.js';

/** The metadata key that marks an instance as serving https (the Spring Cloud convention). */
export const SECURE_METADATA_KEY = 'secure';

/** A list as the registry serves it, with the fingerprint that tells whether a new list differs. */
export interface InstanceList {
  readonly instances: readonly ServiceInstance[];
  readonly fingerprint: string;
}

/**
 * The callable instances among `hosts`: healthy, enabled and with weight > 0, as frozen
 * `ServiceInstance`s sorted by id (`ip:port`), plus a fingerprint of everything a caller can see.
 * Two lists with the same fingerprint are the same list.
 */
export function toInstanceList(serviceName: string, hosts: readonly NacosHost[]): InstanceList {
  const instances: ServiceInstance[] = [];
  for (const host of hosts) {
    if (!host.healthy || !host.enabled || !(host.weight > 0)) continue;
    const metadata = Object.freeze({ ...host.metadata });
    const hostPart = host.ip.includes(':') ? `[${host.ip}]` : host.ip;
    instances.push(
      Object.freeze({
        id: `${hostPart}:${host.port}`,
        serviceName,
        host: host.ip,
        port: host.port,
        weight: host.weight,
        healthy: true,
        secure: metadata[SECURE_METADATA_KEY] === 'true',
        metadata,
      }),
    );
  }
  instances.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { instances: Object.freeze(instances), fingerprint: fingerprintOf(instances) };
}

function fingerprintOf(instances: readonly ServiceInstance[]): string {
  return JSON.stringify(
    instances.map((i) => [
      i.id,
      i.weight,
      i.secure === true,
      Object.entries(i.metadata).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    ]),
  );
}
