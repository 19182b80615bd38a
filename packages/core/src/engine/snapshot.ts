import type { ServiceDiscovery } from '../contracts/discovery.js';
import type { ServiceInstance } from '../contracts/instance.js';
import type { EngineSnapshot, InstanceSnapshot, ServiceSnapshot } from '../contracts/snapshot.js';
import { type HealthBook, InstanceHealth, type ServiceHealth } from './instance-health.js';

/** A `performance.now()` reading as `Date.now()` time. */
function wallClock(at: number): number {
  return Math.round(performance.timeOrigin + at);
}

function instanceSnapshot(health: InstanceHealth, listed: boolean, now: number): InstanceSnapshot {
  const recent = health.recent(now);
  const ejected = health.ejectedUntil > now;
  return Object.freeze({
    instance: health.instance,
    listed,
    inFlight: health.inFlight,
    attempts: health.attempts,
    failures: health.failures,
    consecutiveFailures: health.consecutiveFailures,
    recent: Object.freeze({
      attempts: recent.attempts,
      failures: recent.failures,
      errorRate: recent.attempts === 0 ? 0 : recent.failures / recent.attempts,
      meanLatencyMs: recent.attempts === 0 ? undefined : recent.latencySum / recent.attempts,
      maxLatencyMs: recent.attempts === 0 ? undefined : recent.latencyMax,
    }),
    lastFailure:
      health.lastFailureKind === undefined
        ? undefined
        : Object.freeze({ kind: health.lastFailureKind, at: wallClock(health.lastFailureAt) }),
    ejection: Object.freeze({
      ejected,
      until: ejected ? wallClock(health.ejectedUntil) : undefined,
      ejections: health.ejections,
    }),
  });
}

function serviceSnapshot(
  service: ServiceHealth,
  current: readonly ServiceInstance[] | undefined,
  now: number,
): ServiceSnapshot {
  const instances: InstanceSnapshot[] = [];
  const seen = new Set<string>();
  let ejected = 0;
  for (const instance of current ?? []) {
    seen.add(instance.id);
    // An instance never called yet has no health: its figures are all zero.
    const health = service.byId.get(instance.id) ?? new InstanceHealth(instance);
    const shown = instanceSnapshot(health, true, now);
    if (shown.ejection.ejected) ejected++;
    instances.push(shown);
  }
  for (const health of service.byId.values()) {
    if (seen.has(health.id)) continue;
    const shown = instanceSnapshot(health, false, now);
    if (shown.ejection.ejected) ejected++;
    instances.push(shown);
  }
  return Object.freeze({
    serviceName: service.serviceName,
    calls: service.calls,
    retries: service.retries,
    retriesRefused: service.retriesRefused,
    ejected,
    instances: Object.freeze(instances),
  });
}

/**
 * The engine's snapshot: every service in `book`, its instances as the registry's cache lists
 * them now (the list the last attempt used when the registry has no cache), with their health.
 * O(instances); nothing of it is kept.
 */
export function takeSnapshot(
  book: HealthBook,
  discovery: ServiceDiscovery,
  inFlight: number,
): EngineSnapshot {
  const now = performance.now();
  const services: ServiceSnapshot[] = [];
  for (const service of book.services()) {
    let current: readonly ServiceInstance[] | undefined = service.listed;
    try {
      current = discovery.getCachedInstances?.(service.serviceName) ?? service.listed;
    } catch {
      // A registry whose cache throws still gets a snapshot, from the last list used.
    }
    services.push(serviceSnapshot(service, current, now));
  }
  return Object.freeze({ takenAt: Date.now(), inFlight, services: Object.freeze(services) });
}
