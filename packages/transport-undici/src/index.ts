export type { PemInput, UndiciTlsOptions, UndiciTransportOptions } from './options.js';
export { undiciTransport } from './transport.js';
