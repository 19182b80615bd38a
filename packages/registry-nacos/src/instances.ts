import type { ServiceInstance } from '@service-caller/core';
import type { NacosHost } from './naming-api.js';

/** The metadata key that marks an instance as serving https (the Spring Cloud convention). */
export const SECURE_METADATA_KEY = 'secure';

/**
 * The callable instances among `hosts`: healthy, enabled, with weight > 0 and, when
 * `listCluster` is set, in that cluster (not every server honours a list request's cluster
 * filter, and a push names every cluster). Change detection, sorting and freezing are the shared
 * instance cache's (core's `InstanceCache`).
 */
export function toInstances(
  serviceName: string,
  hosts: readonly NacosHost[],
  listCluster?: string,
): ServiceInstance[] {
  const instances: ServiceInstance[] = [];
  for (const host of hosts) {
    if (!host.healthy || !host.enabled || !(host.weight > 0)) continue;
    if (listCluster !== undefined && host.clusterName !== undefined && host.clusterName !== listCluster)
      continue;
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
  return instances;
}
