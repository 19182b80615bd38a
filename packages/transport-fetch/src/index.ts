export type { FetchInitExtras, FetchTransportOptions } from './options.js';
export { fetchTransport } from './transport.js';
