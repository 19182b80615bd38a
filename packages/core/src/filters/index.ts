export { filterInstances } from './filter-instances.js';
export { type ZoneAffinityOptions, zoneAffinity } from './zone-affinity.js';
