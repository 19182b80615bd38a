/**
 * `@service-caller/testkit/node`: the suites' fixtures in a Node process (`nodeFixtures`), and
 * the server that offers them to another process (`serveFixtures`), for running the portable
 * suites on a runtime without Node's modules.
 */
export { type FixtureServer, serveFixtures } from './fixture-server.js';
export { nodeFixtures } from './node-fixtures.js';
