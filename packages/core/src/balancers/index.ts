export {
  type ConsistentHashOptions,
  consistentHash,
  type HashKeySource,
} from './consistent-hash.js';
export {
  createLoadBalancer,
  isLoadBalancerName,
  isLoadBalancerType,
  LOAD_BALANCER_TYPES,
  type LoadBalancerNameSource,
} from './create-load-balancer.js';
export { leastRequest } from './least-request.js';
export {
  type LoadBalancerFactory,
  loadBalancerNames,
  registerLoadBalancer,
  unregisterLoadBalancer,
} from './load-balancer-registry.js';
export { type PeakEwmaOptions, peakEwma } from './peak-ewma.js';
export { pickContext } from './pick-context.js';
export { random } from './random.js';
export type { RandomOptions } from './random-source.js';
export { roundRobin } from './round-robin.js';
export { seededRandom } from './seeded-random.js';
export { weightedRandom } from './weighted-random.js';
export { weightedRoundRobin } from './weighted-round-robin.js';
