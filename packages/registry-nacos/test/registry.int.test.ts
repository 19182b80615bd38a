import type { ServiceInstance, ServiceRegistry } from '@service-caller/core';
import { waitFor } from '@service-caller/testkit';
import { describe, expect, it } from 'vitest';
import { nacosRegistry } from '../src/index.js';
import type { NacosRegistry } from '../src/nacos-registry.js';
import { registriesClosedAfterEach } from './registries.js';
import { NACOS_ADDR, NACOS_SERVER, RUN_ID, recordingLogger, SERVER_BEHAVIOUR } from './support.js';

const behaviour = SERVER_BEHAVIOUR[NACOS_SERVER];

it(`detects the ${behaviour.detected} API on ${NACOS_SERVER}`, async () => {
  const registry = nacosRegistry({ serverAddr: NACOS_ADDR, logger: recordingLogger().logger });
  try {
    await registry.getInstances(`probe-${RUN_ID}`);
    expect((registry as NacosRegistry).protocol).toBe(behaviour.detected);
  } finally {
    await registry.close();
  }
});

// Every API the server serves: Nacos 3.0.3 both its v3 client API and the 1.x Open API.
describe.each(behaviour.apis)(
  `nacosRegistry against a real ${NACOS_SERVER}, api-version %s`,
  (apiVersion) => {
    const open = registriesClosedAfterEach({ apiVersion, refreshInterval: 300 });
    let serial = 0;
    const unique = (what: string) => `${what}-${apiVersion}-${RUN_ID}-${++serial}`;

    it('round-trips weight, metadata and the secure flag', async () => {
      const registry = open({ metadata: { team: 'payments' } });
      const service = unique('weights');
      await registry.register({
        serviceName: service,
        host: '127.0.0.1',
        port: 7001,
        weight: 2.5,
        secure: true,
        metadata: { zone: 'eu-1', 'version.tag': 'v1.2=3,4' },
      });
      await registry.register({ serviceName: service, host: '127.0.0.1', port: 7002 });
      const list = (await waitFor(
        async () => {
          const found = await registry.getInstances(service);
          return found.length === 2 && found;
        },
        { timeout: 15_000, message: 'two instances' },
      )) as readonly ServiceInstance[];
      const [first, second] = list;
      expect(first).toMatchObject({
        id: '127.0.0.1:7001',
        serviceName: service,
        host: '127.0.0.1',
        port: 7001,
        weight: 2.5,
        healthy: true,
        secure: true,
        metadata: { team: 'payments', zone: 'eu-1', 'version.tag': 'v1.2=3,4', secure: 'true' },
      });
      expect(second).toMatchObject({ port: 7002, weight: 1, secure: false, metadata: { team: 'payments' } });
    });

    it('does not list instances with weight 0', async () => {
      const registry = open();
      const service = unique('weightless');
      await registry.register({ serviceName: service, host: '127.0.0.1', port: 7003, weight: 0 });
      await registry.register({ serviceName: service, host: '127.0.0.1', port: 7004, weight: 1 });
      await waitFor(async () => (await registry.getInstances(service)).length === 1, {
        timeout: 15_000,
        message: 'the weighted instance',
      });
      expect((await registry.getInstances(service)).map((i) => i.port)).toEqual([7004]);
    });

    it('keeps namespaces apart: the same service name in two namespaces does not mix', async () => {
      const service = unique('isolated');
      const nsA = open({ namespace: `ns-a-${RUN_ID}` });
      const nsB = open({ namespace: `ns-b-${RUN_ID}` });
      const publicNs = open();
      await nsA.register({ serviceName: service, host: '127.0.0.1', port: 7101 });
      await nsB.register({ serviceName: service, host: '127.0.0.1', port: 7102 });
      await waitFor(async () => (await nsA.getInstances(service)).length === 1, {
        timeout: 15_000,
        message: 'ns-a',
      });
      await waitFor(async () => (await nsB.getInstances(service)).length === 1, {
        timeout: 15_000,
        message: 'ns-b',
      });
      // Once both are visible, each namespace still lists only its own.
      expect((await nsA.getInstances(service)).map((i) => i.port)).toEqual([7101]);
      expect((await nsB.getInstances(service)).map((i) => i.port)).toEqual([7102]);
      expect(await publicNs.getInstances(service)).toEqual([]);
    });

    // Nacos 3.0.3's v3 client API has no way to list every cluster: a list without a cluster
    // lists DEFAULT (why `auto` prefers its 1.x Open API).
    const everyCluster = apiVersion !== 'v3';
    it(`keeps groups apart, and lists ${everyCluster ? 'every cluster' : 'DEFAULT'} unless a cluster is set`, async () => {
      const service = unique('grouped');
      // No cluster set: registers in DEFAULT and lists every cluster (as the Python library does).
      const groupA = open({ group: 'GROUP_A' });
      const groupADefault = open({ group: 'GROUP_A', cluster: 'DEFAULT' });
      const groupB = open({ group: 'GROUP_B' });
      const clusterX = open({ group: 'GROUP_A', cluster: 'X' });
      await groupA.register({ serviceName: service, host: '127.0.0.1', port: 7201 });
      await groupB.register({ serviceName: service, host: '127.0.0.1', port: 7202 });
      await clusterX.register({ serviceName: service, host: '127.0.0.1', port: 7203 });
      const ports = async (registry: ServiceRegistry, count: number, what: string) =>
        (await waitFor(
          async () => {
            const list = await registry.getInstances(service);
            return list.length === count && list.map((i) => i.port);
          },
          { timeout: 15_000, message: what },
        )) as number[];
      expect(
        await ports(
          groupA,
          everyCluster ? 2 : 1,
          everyCluster ? 'both clusters of group A' : 'DEFAULT of group A',
        ),
      ).toEqual(everyCluster ? [7201, 7203] : [7201]);
      expect(await ports(groupADefault, 1, 'cluster DEFAULT of group A')).toEqual([7201]);
      expect(await ports(clusterX, 1, 'cluster X of group A')).toEqual([7203]);
      expect(await ports(groupB, 1, 'group B')).toEqual([7202]);
    });

    it('answers a looked-up service from memory, without asking Nacos again', async () => {
      const registry = open({ refreshInterval: 60_000 });
      const service = unique('cached');
      const observer = open();
      await observer.register({ serviceName: service, host: '127.0.0.1', port: 7301 });
      const first = await waitFor(
        async () => {
          const found = await registry.getInstances(service);
          return found.length === 1 && found;
        },
        { timeout: 15_000, message: 'the instance' },
      );
      // Another process adds an instance; with a 60 s refresh a polling registry keeps its cached
      // list, and over gRPC the server's push brings the new one without a request.
      await observer.register({ serviceName: service, host: '127.0.0.1', port: 7302 });
      await waitFor(async () => (await observer.getInstances(service)).length === 2, {
        timeout: 15_000,
        message: '2',
      });
      if (apiVersion === 'grpc') {
        await waitFor(() => registry.getCachedInstances?.(service)?.length === 2, {
          timeout: 5_000,
          message: 'the pushed list with both instances',
        });
        expect(first).toHaveLength(1);
        return;
      }
      expect(await registry.getInstances(service)).toBe(first);
      expect(registry.getCachedInstances?.(service)).toBe(first);
    });
  },
);
