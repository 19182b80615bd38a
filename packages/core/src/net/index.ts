export { detectHostAddress } from './detect-host-address.js';
