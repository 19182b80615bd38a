// A CommonJS user: tsc compiles these imports to require(), so every package's `require`
// entry (dist/*.cjs and its .d.cts) is what loads and what is type-checked. The testkit is ESM
// only (vitest, its peer, cannot be required) and is not here.
import * as assert from 'node:assert/strict';
import { createAdminHandler } from '@service-caller/admin';
import { ServiceManager } from '@service-caller/caller';
import { run } from '@service-caller/cli';
import { loadConfig } from '@service-caller/config-yaml';
import { createLoadBalancer, staticRegistry } from '@service-caller/core';
import { optionReader } from '@service-caller/core/adapter';
import { detectHostAddress } from '@service-caller/core/node';
import { otelInterceptor } from '@service-caller/interceptor-otel';
import { prometheusInterceptor } from '@service-caller/interceptor-prometheus';
import { consulRegistry } from '@service-caller/registry-consul';
import { nacosRegistry } from '@service-caller/registry-nacos';
import { fetchTransport } from '@service-caller/transport-fetch';
import { undiciTransport } from '@service-caller/transport-undici';

async function main(): Promise<void> {
  for (const [name, value] of Object.entries({
    createAdminHandler,
    run,
    loadConfig,
    optionReader,
    otelInterceptor,
    prometheusInterceptor,
    consulRegistry,
    nacosRegistry,
  })) {
    assert.equal(typeof value, 'function', name);
  }
  assert.match(detectHostAddress(), /^[\d.:a-f]+$/i);
  assert.equal(createLoadBalancer('round_robin').name, 'round_robin');
  const manager = await ServiceManager.create({
    config: { appRegistry: { static: { services: {} } } },
    registry: staticRegistry({
      services: { greeter: [{ host: '127.0.0.1', port: Number(process.env.PACK_CHECK_UPSTREAM_PORT) }] },
    }),
    transport: fetchTransport(),
  });
  try {
    assert.deepEqual(await manager.get('greeter', '/cjs'), { method: 'GET', path: '/cjs' });
  } finally {
    await manager.close();
  }
  await undiciTransport().close();
  console.log('ok');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
