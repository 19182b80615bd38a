import { testRegistry } from '@service-caller/testkit';
import { NacosNamingClient } from 'nacos';
import { afterAll } from 'vitest';
import { nacosRegistry } from '../src/index.js';
import { NACOS_ADDR, recordingLogger } from './support.js';

// The built-in client against the shared Nacos; a short refresh keeps the suite quick.
testRegistry({
  name: 'nacos (built-in client)',
  create: () =>
    nacosRegistry({ serverAddr: NACOS_ADDR, refreshInterval: 500, logger: recordingLogger().logger }),
  createObserver: () =>
    nacosRegistry({ serverAddr: NACOS_ADDR, refreshInterval: 500, logger: recordingLogger().logger }),
  propagationTimeout: 15_000,
});

// The official npm client wrapped: same suite, same server. The clients are the test's to close.
const clients: NacosNamingClient[] = [];
const officialClient = () => {
  const client = new NacosNamingClient({
    serverList: NACOS_ADDR,
    namespace: 'public',
    logger: { ...console, info() {}, debug() {}, log() {}, warn() {} } as typeof console,
  });
  clients.push(client);
  return nacosRegistry({
    serverAddr: NACOS_ADDR,
    client,
    refreshInterval: 500,
    logger: recordingLogger().logger,
  });
};
afterAll(async () => {
  await Promise.all(clients.map((client) => (client as unknown as { close(): Promise<void> }).close()));
});

// The witness of close() is the built-in client: the npm client never reports a service going
// from some instances to none (it keeps the old list when the server answers an empty one).
testRegistry({
  name: 'nacos (official npm client)',
  create: officialClient,
  createObserver: () =>
    nacosRegistry({ serverAddr: NACOS_ADDR, refreshInterval: 500, logger: recordingLogger().logger }),
  propagationTimeout: 15_000,
});
