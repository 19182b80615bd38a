export { createLoadBalancer, isLoadBalancerType, LOAD_BALANCER_TYPES } from './create-load-balancer.js';
export { random } from './random.js';
export type { RandomOptions } from './random-source.js';
export { roundRobin } from './round-robin.js';
export { seededRandom } from './seeded-random.js';
export { weightedRandom } from './weighted-random.js';
export { weightedRoundRobin } from './weighted-round-robin.js';
