/**
 * `@service-caller/testkit/portable`: the conformance suites' cases without vitest and without
 * any Node built-in module, for running them on other runtimes (Bun, Deno, workerd, a browser).
 * A runner passes its own `describe`/`it`/`expect` ({@link SuiteApi}) and fixtures; the servers
 * can live in a Node process beside it (`remoteFixtures(url)` talking to `serveFixtures` from
 * `@service-caller/testkit/node`).
 */
export type {
  AddressFixture,
  PortsFixture,
  RegistryFixtures,
  ServerFixture,
  SuiteFixtures,
  TransportFixtures,
} from './portable/fixtures.js';
export { remoteFixtures } from './portable/remote-fixtures.js';
export type { SuiteApi, SuiteTestContext } from './portable/suite-api.js';
export { registrySuite, type TestRegistryOptions } from './registry/cases.js';
export {
  type TestTransportOptions,
  type TransportTestOptions,
  transportSuite,
} from './transport/cases.js';
export { type WaitForOptions, WaitForTimeoutError, waitFor } from './wait.js';
