import type { ServiceInstance, ServiceRegistry } from '@service-caller/core';
import { waitFor } from '@service-caller/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { type NacosRegistryOptions, nacosRegistry } from '../src/index.js';
import type { NacosRegistry } from '../src/nacos-registry.js';
import { NACOS_ADDR, RUN_ID, recordingLogger } from './support.js';

describe('nacosRegistry against a real Nacos', () => {
  const opened: ServiceRegistry[] = [];
  const open = (options: Partial<NacosRegistryOptions> = {}) => {
    const registry = nacosRegistry({
      serverAddr: NACOS_ADDR,
      refreshInterval: 300,
      logger: recordingLogger().logger,
      ...options,
    });
    opened.push(registry);
    return registry;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((r) => r.close()));
  });
  let serial = 0;
  const unique = (what: string) => `${what}-${RUN_ID}-${++serial}`;

  it('detects the v1 Open API on this server (it has no v3 client API)', async () => {
    const registry = open();
    await registry.getInstances(unique('probe'));
    expect((registry as NacosRegistry).protocol).toBe('v1');
  });

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

  it('keeps groups and clusters apart', async () => {
    const service = unique('grouped');
    const groupA = open({ group: 'GROUP_A' });
    const groupB = open({ group: 'GROUP_B' });
    const clusterX = open({ group: 'GROUP_A', cluster: 'X' });
    await groupA.register({ serviceName: service, host: '127.0.0.1', port: 7201 });
    await groupB.register({ serviceName: service, host: '127.0.0.1', port: 7202 });
    await clusterX.register({ serviceName: service, host: '127.0.0.1', port: 7203 });
    await waitFor(async () => (await groupA.getInstances(service)).length === 1, {
      timeout: 15_000,
      message: 'A',
    });
    await waitFor(async () => (await groupB.getInstances(service)).length === 1, {
      timeout: 15_000,
      message: 'B',
    });
    await waitFor(async () => (await clusterX.getInstances(service)).length === 1, {
      timeout: 15_000,
      message: 'X',
    });
    expect((await groupA.getInstances(service)).map((i) => i.port)).toEqual([7201]);
    expect((await groupB.getInstances(service)).map((i) => i.port)).toEqual([7202]);
    expect((await clusterX.getInstances(service)).map((i) => i.port)).toEqual([7203]);
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
    // Another process adds an instance; with a 60 s refresh this registry keeps its cached list.
    await observer.register({ serviceName: service, host: '127.0.0.1', port: 7302 });
    await waitFor(async () => (await observer.getInstances(service)).length === 2, {
      timeout: 15_000,
      message: '2',
    });
    expect(await registry.getInstances(service)).toBe(first);
    expect(registry.getCachedInstances?.(service)).toBe(first);
  });
});
