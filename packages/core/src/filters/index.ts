export { filterInstances } from './filter-instances.js';
