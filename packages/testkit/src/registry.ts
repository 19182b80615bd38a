import { nodeFixtures } from './node-fixtures.js';
import { registrySuite, type TestRegistryOptions } from './registry/cases.js';
import { vitestApi } from './vitest-api.js';

export type { TestRegistryOptions } from './registry/cases.js';

/**
 * The conformance suite every registry runs. Registers instances of a service with a unique
 * name (a random suffix keeps runs against a shared server apart), backed by real HTTP servers on
 * 127.0.0.1 so health checks pass, and checks: discovery with id, serviceName, host, port and
 * healthy; weight and metadata round-trip; `getCachedInstances` answers with the same array while
 * nothing changes; `subscribe` hears real changes and never a non-change; `deregister`; an
 * unknown service is an empty list; `close()` is idempotent and deregisters what it registered.
 * Every expectation about a change waits for it (`waitFor`) up to `propagationTimeout`, so
 * registries with propagation delay pass. The same cases run on other runtimes through
 * `registrySuite` from `@service-caller/testkit/portable`.
 *
 * @example
 * ```ts
 * testRegistry({ name: 'static', create: () => staticRegistry() });
 * testRegistry({ name: 'nacos', create, createObserver: create, propagationTimeout: 15_000 });
 * ```
 */
export function testRegistry(options: TestRegistryOptions): void {
  registrySuite(vitestApi, options, nodeFixtures());
}
