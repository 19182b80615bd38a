import {
  createCallEngine,
  createLoadBalancer,
  endpoint,
  silentLogger,
  staticRegistry,
  type Transport,
} from '@service-caller/core';
import { InterceptorChain, optionReader } from '@service-caller/core/adapter';
import {
  registrySuite,
  type SuiteApi,
  type SuiteFixtures,
  transportSuite,
} from '@service-caller/testkit/portable';
import { type FetchTransportOptions, fetchTransport } from '@service-caller/transport-fetch';
import { type CallerUnderTest, endToEndSuite } from './end-to-end.js';

/**
 * What runs on every runtime of the matrix, workerd included: the fetch transport's conformance
 * suite, the registry suite on core's static registry, and the end-to-end script over core's
 * engine with the fetch transport. Imports only core, transport-fetch and testkit's portable
 * entry, so it bundles for a runtime without any Node module.
 *
 * `trust` turns a CA into the `init` that makes this runtime's fetch trust it (an undici Agent on
 * Node, `Deno.createHttpClient`, Bun's `tls`); without one the runtime cannot be given a CA.
 */
export function definePortableMatrix(
  api: SuiteApi,
  fixtures: SuiteFixtures,
  trust?: (ca: string) => FetchTransportOptions['init'],
): void {
  api.describe('entries', () => {
    // In a workerd or plain-Deno bundle a Node built-in would not have built: these loading at
    // all is the check that the root and /adapter need none.
    api.it('@service-caller/core and @service-caller/core/adapter load', () => {
      api.expect(typeof endpoint.get).toBe('function');
      api.expect(typeof InterceptorChain).toBe('function');
      api.expect(typeof optionReader('<entries>').port).toBe('function');
    });
  });

  transportSuite(
    api,
    {
      name: 'fetch',
      create: (options) => {
        const { tls, ...timeouts } = options ?? {};
        if (!tls) return fetchTransport(timeouts);
        if (!trust) throw new Error('this runtime cannot give fetch a CA to trust');
        return fetchTransport({ ...timeouts, init: trust(tls.ca) });
      },
    },
    fixtures,
  );

  registrySuite(
    api,
    { name: 'static', create: () => staticRegistry({ logger: silentLogger }), propagationTimeout: 2_000 },
    fixtures,
  );

  endToEndSuite(
    api,
    'core engine, fetch transport',
    async (upstream) => engineCaller(fetchTransport(), upstream),
    fixtures,
    'fetch',
  );
}

/** Core's call engine behind the script's four methods, as an application without the facade uses it. */
export function engineCaller(
  transport: Transport,
  upstream: { host: string; port: number },
): CallerUnderTest {
  const engine = createCallEngine({
    discovery: staticRegistry({ services: { upstream: [upstream] }, logger: silentLogger }),
    transport,
    loadBalancer: createLoadBalancer('round_robin'),
    logger: silentLogger,
  });
  return {
    transportName: transport.name,
    get: (service, path, options) => engine.request('GET', service, path, options),
    rawGet: (service, path, options) => engine.rawRequest('GET', service, path, options),
    close: () => engine.close(),
  };
}
