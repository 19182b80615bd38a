import { nodeFixtures } from './node-fixtures.js';
import { type TestTransportOptions, transportSuite } from './transport/cases.js';
import { vitestApi } from './vitest-api.js';

export type { TestTransportOptions, TransportTestOptions } from './transport/cases.js';

/**
 * The conformance suite every `Transport` runs: methods, headers and bodies both ways, the
 * `RawResponse` readers and their read-once rule, `dispose` releasing connections, timeouts
 * (connect and read), connection and TLS errors, aborts, and `close`. It starts real
 * `node:http`/`node:https` servers on 127.0.0.1 port 0 and closes them after; `https` needs the
 * `openssl` command to make a throwaway CA. The same cases run on other runtimes through
 * `transportSuite` from `@service-caller/testkit/portable`.
 *
 * Errors are checked by class, through the core's `isXxxError` guards: `TimeoutError` with its
 * `phase`, `ConnectionError` naming the origin, `InvalidRequestError` for a second read of a
 * body, `ClosedError` (code `SC_ERR_CLOSED`) after `close()`, and the signal's own reason on abort.
 *
 * @example
 * ```ts
 * // test/transport.test.ts
 * import { testTransport } from '@service-caller/testkit';
 * import { undiciTransport } from '../src/index.js';
 *
 * testTransport({
 *   name: 'undici',
 *   create: (options) => undiciTransport({ ...options, tls: options?.tls && { ca: options.tls.ca } }),
 * });
 * ```
 */
export function testTransport(options: TestTransportOptions): void {
  transportSuite(vitestApi, options, nodeFixtures());
}
