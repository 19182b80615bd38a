import type {
  EngineSnapshot,
  InstanceSnapshot,
  ServiceInstance,
  ServiceSnapshot,
} from '@service-caller/core';
import { maskSecrets } from './mask.js';

/** One instance as `GET /services` shows it. Times are ISO strings; absent figures are `null`. */
export interface InstanceView {
  id: string;
  host: string;
  port: number;
  weight: number;
  /** What the registry says of it. */
  healthy: boolean;
  secure: boolean;
  /** The registry's metadata, secret-looking values as `***`. */
  metadata: Record<string, unknown>;
  /** Whether the registry lists it now (an instance that left stays while the engine has figures for it). */
  listed: boolean;
  /** Attempts in flight on it now. */
  inFlight: number;
  /** Attempts and failed attempts since the engine started. */
  attempts: number;
  failures: number;
  consecutiveFailures: number;
  /** The last minute. */
  recent: {
    attempts: number;
    failures: number;
    /** 0..1. */
    errorRate: number;
    meanLatencyMs: number | null;
    maxLatencyMs: number | null;
  };
  lastFailure: { kind: string; at: string } | null;
  ejection: {
    /** Whether calls avoid it now. */
    ejected: boolean;
    /** When it comes back, while ejected. */
    until: string | null;
    /** Times it has been ejected. */
    ejections: number;
  };
}

/** One service as `GET /services` shows it. */
export interface ServiceView {
  name: string;
  /** Calls since the engine started; 0 for a service only listed through the `services` option. */
  calls: number;
  retries: number;
  retriesRefused: number;
  /** Instances ejected now. */
  ejected: number;
  /** Whether the engine has called it (false: only the registry's list is known). */
  called: boolean;
  /** Why its instances could not be listed (a service from the `services` option only). */
  error?: string;
  instances: InstanceView[];
}

/** What `GET /services` answers. */
export interface ServicesView {
  /** When the snapshot was taken. */
  takenAt: string;
  /** Calls in flight in the whole engine. */
  inFlight: number;
  services: ServiceView[];
}

function iso(ms: number | undefined): string | null {
  return ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}

function round(value: number | undefined): number | null {
  return value === undefined || !Number.isFinite(value) ? null : Math.round(value * 1000) / 1000;
}

function baseView(
  instance: ServiceInstance,
): Pick<InstanceView, 'id' | 'host' | 'port' | 'weight' | 'healthy' | 'secure' | 'metadata'> {
  return {
    id: String(instance.id),
    host: String(instance.host),
    port: instance.port,
    weight: instance.weight,
    healthy: instance.healthy !== false,
    secure: instance.secure === true,
    metadata: (maskSecrets(instance.metadata ?? {}) as Record<string, unknown>) ?? {},
  };
}

/** An instance with its figures from the engine's snapshot. */
export function instanceView(snapshot: InstanceSnapshot): InstanceView {
  const { recent, ejection, lastFailure } = snapshot;
  return {
    ...baseView(snapshot.instance),
    listed: snapshot.listed,
    inFlight: snapshot.inFlight,
    attempts: snapshot.attempts,
    failures: snapshot.failures,
    consecutiveFailures: snapshot.consecutiveFailures,
    recent: {
      attempts: recent.attempts,
      failures: recent.failures,
      errorRate: round(recent.errorRate) ?? 0,
      meanLatencyMs: round(recent.meanLatencyMs),
      maxLatencyMs: round(recent.maxLatencyMs),
    },
    lastFailure: lastFailure === undefined ? null : { kind: lastFailure.kind, at: iso(lastFailure.at) ?? '' },
    ejection: { ejected: ejection.ejected, until: iso(ejection.until), ejections: ejection.ejections },
  };
}

/** An instance the registry lists for a service the engine has not called: no figures yet. */
export function listedInstanceView(instance: ServiceInstance): InstanceView {
  return {
    ...baseView(instance),
    listed: true,
    inFlight: 0,
    attempts: 0,
    failures: 0,
    consecutiveFailures: 0,
    recent: { attempts: 0, failures: 0, errorRate: 0, meanLatencyMs: null, maxLatencyMs: null },
    lastFailure: null,
    ejection: { ejected: false, until: null, ejections: 0 },
  };
}

/** A service from the engine's snapshot. */
export function serviceView(snapshot: ServiceSnapshot): ServiceView {
  return {
    name: snapshot.serviceName,
    calls: snapshot.calls,
    retries: snapshot.retries,
    retriesRefused: snapshot.retriesRefused,
    ejected: snapshot.ejected,
    called: true,
    instances: snapshot.instances.map(instanceView),
  };
}

/** A service the engine has not called, from the registry's list. */
export function listedServiceView(name: string, instances: readonly ServiceInstance[]): ServiceView {
  return {
    name,
    calls: 0,
    retries: 0,
    retriesRefused: 0,
    ejected: 0,
    called: false,
    instances: instances.map(listedInstanceView),
  };
}

/**
 * The engine's snapshot as `GET /services` shows it, plus `extra`: services the engine has not
 * called (from the `services` option), in the order given. Sorted by name.
 */
export function servicesView(snapshot: EngineSnapshot, extra: readonly ServiceView[] = []): ServicesView {
  const services = snapshot.services.map(serviceView);
  const known = new Set(services.map((s) => s.name));
  for (const view of extra) if (!known.has(view.name)) services.push(view);
  services.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    takenAt: iso(snapshot.takenAt) ?? new Date().toISOString(),
    inFlight: snapshot.inFlight,
    services,
  };
}
