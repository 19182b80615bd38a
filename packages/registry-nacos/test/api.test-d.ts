import type { ServiceRegistry } from '@service-caller/core';
import type { NacosNamingClient } from 'nacos';
import { expectTypeOf, test } from 'vitest';
import { type NacosNamingClientLike, type NacosRegistryOptions, nacosRegistry } from '../src/index.js';

test('an official NacosNamingClient fits the client option', () => {
  expectTypeOf<NacosNamingClient>().toExtend<NacosNamingClientLike>();
  expectTypeOf<{ serverAddr: string; client: NacosNamingClient }>().toExtend<NacosRegistryOptions>();
});

test('nacosRegistry returns the core registry contract', () => {
  expectTypeOf(nacosRegistry).returns.toEqualTypeOf<ServiceRegistry>();
  expectTypeOf(nacosRegistry).parameter(0).toEqualTypeOf<NacosRegistryOptions>();
});

test('the YAML section as the facade passes it fits the options', () => {
  expectTypeOf({
    serverAddr: '127.0.0.1:8848',
    namespace: 'public',
    cluster: 'DEFAULT',
    group: 'DEFAULT_GROUP',
    ip: '10.0.0.1',
    port: 9999,
    appName: 'app',
    username: 'nacos',
    password: 'x',
    weight: 1,
    metadata: { a: 'b' },
    ephemeral: true,
    secure: false,
    heartbeatInterval: 5,
    apiVersion: 'auto' as const,
  }).toExtend<NacosRegistryOptions>();
});
