import type { ServiceInstance } from '../contracts/instance.js';
import type { InstanceLoad } from './load-state.js';
import { badRandomValue } from './random-source.js';
import { wasTried } from './untried.js';

function draw(random: () => number, count: number, strategy: string): number {
  const r = random();
  if (!(r >= 0 && r < 1)) throw badRandomValue(strategy, r);
  return Math.min((r * count) | 0, count - 1);
}

/**
 * The power of two choices: two different instances drawn at random, the one of lower `cost`
 * kept (ties to the first drawn). Nearly as good as comparing all (Mitzenmacher) for the cost of
 * two, and it spreads a burst instead of sending it all to the one least loaded a moment ago.
 * A retry draws among the instances its call has not tried, while any are left.
 */
export function twoChoices(
  loads: readonly InstanceLoad[],
  cost: (load: InstanceLoad) => number,
  random: () => number,
  tried: readonly ServiceInstance[] | undefined,
  strategy: string,
): InstanceLoad {
  let pool = loads;
  if (tried !== undefined && tried.length !== 0) {
    const untried = loads.filter((load) => !wasTried(load.instance, tried));
    if (untried.length !== 0) pool = untried;
  }
  const count = pool.length;
  if (count === 1) return pool[0]!;
  const first = draw(random, count, strategy);
  // The second is drawn among the others: shift past the first.
  let second = draw(random, count - 1, strategy);
  if (second >= first) second++;
  const a = pool[first]!;
  const b = pool[second]!;
  return cost(b) < cost(a) ? b : a;
}
