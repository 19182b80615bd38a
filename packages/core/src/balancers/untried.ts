import type { Pick } from '../contracts/balancer.js';
import type { ServiceInstance } from '../contracts/instance.js';

/** Whether this call tried `instance` already (by identity, else by id: the list may have been rebuilt). */
export function wasTried(instance: ServiceInstance, tried: readonly ServiceInstance[]): boolean {
  for (let i = 0; i < tried.length; i++) {
    const other = tried[i]!;
    if (other === instance || other.id === instance.id) return true;
  }
  return false;
}

/**
 * What a balancer returns for a retry: `picks[index]` when this call has not tried its instance,
 * else the next untried one after it (wrapping around), else `picks[index]` all the same (every
 * instance was tried, and one is as good as another). Costs nothing on a first attempt.
 */
export function untriedPick(
  picks: readonly Pick[],
  index: number,
  tried: readonly ServiceInstance[] | undefined,
): Pick {
  const chosen = picks[index]!;
  // A context made by hand may leave triedInstances out.
  if (tried === undefined || tried.length === 0 || !wasTried(chosen.instance, tried)) return chosen;
  const count = picks.length;
  for (let step = 1; step < count; step++) {
    const next = picks[(index + step) % count]!;
    if (!wasTried(next.instance, tried)) return next;
  }
  return chosen;
}
