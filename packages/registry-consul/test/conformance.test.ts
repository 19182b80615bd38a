import { silentLogger } from '@service-caller/core';
import { testRegistry } from '@service-caller/testkit';
import { afterAll, beforeAll } from 'vitest';
import { consulRegistry } from '../src/index.js';
import { type ConsulDouble, startConsulDouble } from './consul-double/index.js';

// The shared registry conformance suite, against the Consul agent double (see the README: no
// Consul server can be installed on these machines).
let double: ConsulDouble;

beforeAll(async () => {
  double = await startConsulDouble();
});

afterAll(async () => {
  await double.close();
});

const create = () =>
  consulRegistry({
    port: double.port,
    // Short cycles keep a missed wake-up from hiding behind a long wait: the suite would time out.
    wait: 5,
    check: { type: 'ttl', interval: 5 },
    logger: silentLogger,
  });

testRegistry({ name: 'consul', create, createObserver: create, propagationTimeout: 10_000 });
