import type { PickContext } from '../contracts/balancer.js';
import type { InstanceFilter } from '../contracts/filter.js';
import type { EjectionEvent, EjectionReason, OutlierEjectionOptions } from '../contracts/health.js';
import type { ServiceInstance } from '../contracts/instance.js';
import type { FailureKind } from '../engine/failure-kind.js';
import type { HealthBook, InstanceHealth, ServiceHealth } from '../engine/instance-health.js';

/** `OutlierEjectionOptions` with every key filled in. */
export type OutlierEjectionSettings = Readonly<Required<OutlierEjectionOptions>>;

/** The ejection settings every engine has unless configured otherwise (Envoy's, with a 50% cap). */
export const DEFAULT_OUTLIER_EJECTION: OutlierEjectionSettings = Object.freeze({
  consecutiveFailures: 5,
  ejectOnConnectFailure: true,
  baseEjectionTime: 30_000,
  maxEjectionTime: 300_000,
  maxEjectionPercent: 50,
});

/**
 * Outlier ejection, the first filter of the engine's filter stage: instances that keep failing
 * are left out of their service's list for a while (see `OutlierEjectionOptions`). The state is
 * the engine's per-instance health (`engine/instance-health.ts`), fed once per attempt through
 * {@link OutlierEjection.observe}; this class holds the rules.
 *
 * Cheap while nothing is ejected: `filter` returns its input after one counter check. While
 * something is, the output array is rebuilt only when the input or the ejection state changed,
 * so balancers keep their state.
 * @internal
 */
export class OutlierEjection implements InstanceFilter {
  readonly name = 'outlier-ejection';
  readonly #settings: OutlierEjectionSettings;
  readonly #book: HealthBook;
  readonly #notify: (event: EjectionEvent) => void;

  constructor(settings: OutlierEjectionSettings, book: HealthBook, notify: (event: EjectionEvent) => void) {
    this.#settings = settings;
    this.#book = book;
    this.#notify = notify;
  }

  filter(instances: readonly ServiceInstance[], context: PickContext): readonly ServiceInstance[] {
    const service = this.#book.service(context.serviceName);
    if (service.ejected === 0) return instances;
    const now = performance.now();
    if (now >= service.nextReturnAt) this.#returnDue(service, now);
    if (service.ejected === 0) return instances;
    if (service.filterInput === instances && service.filterVersion === service.version) {
      return service.filterOutput;
    }
    const kept: ServiceInstance[] = [];
    let available = false;
    for (const instance of instances) {
      const health = service.byId.get(instance.id);
      if (health !== undefined && health.ejectedUntil !== 0) continue;
      kept.push(instance);
      if (instance.healthy !== false) available = true;
    }
    // Panic: with nothing left to call, every instance is tried rather than none.
    const output = !available || kept.length === instances.length ? instances : Object.freeze(kept);
    service.filterInput = instances;
    service.filterVersion = service.version;
    service.filterOutput = output;
    return output;
  }

  /**
   * An attempt on `health`'s instance ended at `now`: `kind` is its failure when it counts
   * against the instance, `undefined` for a success, and the call's own failures are not passed.
   */
  observe(service: ServiceHealth, health: InstanceHealth, kind: FailureKind | undefined, now: number): void {
    if (kind === undefined) {
      health.probation = false;
      return;
    }
    // Still out: an attempt that started before the ejection has ended.
    if (health.ejectedUntil !== 0) return;
    const settings = this.#settings;
    let reason: EjectionReason | undefined;
    if (health.probation) reason = 'failed-on-return';
    else if (kind === 'connect-failure' && settings.ejectOnConnectFailure) reason = 'connect-failure';
    else if (health.consecutiveFailures >= settings.consecutiveFailures) reason = 'consecutive-failures';
    if (reason === undefined) return;
    // At most this share out at once, but one always may go (Envoy's rule): a service of one or
    // two instances still routes around a dead one, and the panic rule keeps it callable.
    const allowed = Math.max(1, Math.floor((service.listed.length * settings.maxEjectionPercent) / 100));
    if (service.ejected >= allowed) return;
    // The multiplier is forgiven after a long enough good spell.
    if (health.ejections > 0 && now - health.returnedAt > settings.maxEjectionTime) health.ejections = 0;
    health.ejections++;
    const duration = Math.min(settings.maxEjectionTime, settings.baseEjectionTime * health.ejections);
    health.ejectedFor = duration;
    health.ejectedUntil = now + duration;
    health.ejectionReason = reason;
    health.probation = false;
    service.ejected++;
    service.version++;
    if (health.ejectedUntil < service.nextReturnAt) service.nextReturnAt = health.ejectedUntil;
    this.#notify(event('ejected', service, health, duration));
  }

  /** Lets back every instance whose time is over; they return on probation. */
  #returnDue(service: ServiceHealth, now: number): void {
    let next = Number.POSITIVE_INFINITY;
    for (const health of service.byId.values()) {
      const until = health.ejectedUntil;
      if (until === 0) continue;
      if (until > now) {
        if (until < next) next = until;
        continue;
      }
      health.ejectedUntil = 0;
      health.returnedAt = now;
      health.probation = true;
      health.consecutiveFailures = 0;
      service.ejected--;
      service.version++;
      this.#notify(event('returned', service, health, health.ejectedFor));
    }
    service.nextReturnAt = next;
  }
}

function event(
  type: EjectionEvent['type'],
  service: ServiceHealth,
  health: InstanceHealth,
  durationMs: number,
): EjectionEvent {
  return Object.freeze({
    type,
    serviceName: service.serviceName,
    instance: health.instance,
    reason: health.ejectionReason,
    consecutiveFailures: health.consecutiveFailures,
    ejections: health.ejections,
    durationMs,
    at: Date.now(),
  });
}
