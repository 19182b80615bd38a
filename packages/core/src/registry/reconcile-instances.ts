import type { ServiceInstance } from '../contracts/instance.js';
import { sameInstance } from './same-instance.js';

/**
 * Change detection for a fresh list: `incoming` sorted by id and frozen, with the object of every
 * instance that did not change (by {@link sameInstance}) taken from `previous`, and `previous`
 * itself when nothing changed at all. Balancers key their state on the array and on the
 * instances, so a refresh that changed nothing must change nothing they see.
 *
 * New instances (and their metadata) are frozen as they are adopted; `incoming` is not modified.
 */
export function reconcileInstances(
  previous: readonly ServiceInstance[] | undefined,
  incoming: readonly ServiceInstance[],
): readonly ServiceInstance[] {
  const old = previous === undefined ? undefined : new Map(previous.map((i) => [i.id, i]));
  const next: ServiceInstance[] = [];
  for (const instance of incoming) {
    const before = old?.get(instance.id);
    next.push(before !== undefined && sameInstance(before, instance) ? before : frozen(instance));
  }
  next.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (previous !== undefined && previous.length === next.length && previous.every((p, i) => p === next[i])) {
    return previous;
  }
  return Object.freeze(next);
}

function frozen(instance: ServiceInstance): ServiceInstance {
  if (Object.isFrozen(instance) && Object.isFrozen(instance.metadata)) return instance;
  return Object.freeze({ ...instance, metadata: Object.freeze({ ...instance.metadata }) });
}
