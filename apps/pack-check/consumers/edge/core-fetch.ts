// core's engine over the fetch transport, with nothing of Node's: the calls an edge worker makes.
// `@service-caller/core/adapter` too: a third-party transport for such a runtime builds on it.
import {
  createCallEngine,
  createLoadBalancer,
  isHttpStatusError,
  staticRegistry,
} from '@service-caller/core';
import { withoutQuery } from '@service-caller/core/adapter';
import { fetchTransport } from '@service-caller/transport-fetch';

// No @types/node in this project: the one thing this script takes from Node, declared as an
// edge project would declare its platform's bindings.
declare const process: { readonly env: Readonly<Record<string, string | undefined>> };

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`check failed: ${what}`);
}

const engine = createCallEngine({
  discovery: staticRegistry({
    services: { greeter: [{ host: '127.0.0.1', port: Number(process.env.PACK_CHECK_UPSTREAM_PORT) }] },
  }),
  transport: fetchTransport(),
  loadBalancer: createLoadBalancer('round_robin'),
});
check(withoutQuery('/edge?token=x') === '/edge', 'withoutQuery from core/adapter');
try {
  const body = await engine.request('GET', 'greeter', '/edge', { timeout: 10_000 });
  check(JSON.stringify(body) === '{"method":"GET","path":"/edge"}', `the body, got ${JSON.stringify(body)}`);
  const error = await engine.request('GET', 'greeter', '/status/502').catch((e: unknown) => e);
  check(isHttpStatusError(error) && error.status === 502, `an HttpStatusError 502, got ${String(error)}`);
  console.log('ok');
} finally {
  await engine.close();
}
