import {
  pickContext,
  RegistryError,
  roundRobin,
  type ServiceInstance,
  silentLogger,
} from '@service-caller/core';
import { waitFor } from '@service-caller/testkit';
import { describe, expect, it } from 'vitest';
import { nextIndex } from '../src/service-watch.js';
import { agent, healthRequests, putService, recordingLogger, registryOn } from './helpers.js';

const passingTtl = { TTL: '1h', Status: 'passing' };

describe('discovery', () => {
  it('asks /v1/health/service/:name?passing and maps the entries to instances', async () => {
    const double = await agent();
    await putService(double, {
      ID: 'pay-1',
      Name: 'payments',
      Address: '127.0.0.1',
      Port: 9001,
      Meta: { weight: '0.5', secure: 'true', zone: 'b' },
      Check: passingTtl,
    });
    // No service address: Consul's rule is to use the node's.
    await putService(double, {
      ID: 'pay-2',
      Name: 'payments',
      Port: 9002,
      Weights: { Passing: 4, Warning: 1 },
      Check: passingTtl,
    });
    await putService(double, {
      ID: 'pay-3',
      Name: 'payments',
      Address: '127.0.0.1',
      Port: 9003,
      Check: { TTL: '1h' },
    });
    const registry = registryOn(double, { logger: silentLogger });
    const list = await registry.getInstances('payments');
    expect(list).toEqual([
      {
        id: 'pay-1',
        serviceName: 'payments',
        host: '127.0.0.1',
        port: 9001,
        weight: 0.5,
        healthy: true,
        secure: true,
        metadata: { weight: '0.5', secure: 'true', zone: 'b' },
      },
      {
        id: 'pay-2',
        serviceName: 'payments',
        host: '127.0.0.1',
        port: 9002,
        weight: 4,
        healthy: true,
        metadata: {},
      },
    ]);
    expect(Object.isFrozen(list)).toBe(true);
    const [first] = healthRequests(double, 'payments');
    expect(first!.method).toBe('GET');
    expect(first!.query.get('passing')).toBe('true');
    expect(first!.query.has('index')).toBe(false);
  });

  it('brings a blocking-query update to the load balancer well within one wait cycle', async () => {
    const double = await agent();
    const wait = 60;
    const registry = registryOn(double, { wait, logger: silentLogger });
    await putService(double, {
      ID: 'a',
      Name: 'search',
      Address: '127.0.0.1',
      Port: 7001,
      Check: passingTtl,
    });
    const balancer = roundRobin();
    const pickPorts = () => {
      const list = registry.getCachedInstances('search')!;
      return new Set([0, 1, 2, 3].map(() => balancer.pick(list, pickContext('search')).instance.port));
    };
    expect((await registry.getInstances('search')).map((i) => i.port)).toEqual([7001]);
    const blocking = () => healthRequests(double, 'search').filter((r) => r.query.has('index'));
    await waitFor(() => blocking().length === 1, { message: 'the first blocking query being open' });
    expect(blocking()[0]!.query.get('wait')).toBe(`${wait * 1000}ms`);

    await putService(double, {
      ID: 'b',
      Name: 'search',
      Address: '127.0.0.1',
      Port: 7002,
      Check: passingTtl,
    });
    // Far less than the 60 s wait: the open query returned on the change, not on its timeout.
    await waitFor(() => registry.getCachedInstances('search')!.length === 2, {
      timeout: 10_000,
      message: 'the second instance reaching the cache',
    });
    expect(pickPorts()).toEqual(new Set([7001, 7002]));
    expect(blocking()[0]!.status).toBe(200);
  });

  it('keeps the same array while nothing changes, and notifies subscribers only on real changes', async () => {
    const double = await agent();
    await putService(double, {
      ID: 'a',
      Name: 'search',
      Address: '127.0.0.1',
      Port: 7001,
      Check: passingTtl,
    });
    await putService(double, { ID: 'noise', Name: 'other', Port: 1 });
    const registry = registryOn(double, { wait: 5, logger: silentLogger });
    const first = await registry.getInstances('search');
    const heard: (readonly ServiceInstance[])[] = [];
    registry.subscribe('search', (list) => heard.push(list));
    await waitFor(() => healthRequests(double, 'search').some((r) => r.query.has('index')), {
      message: 'a blocking query being open',
    });
    // A TTL pass that changes the output raises the index and wakes the query without changing
    // the instance list.
    const open = healthRequests(double, 'search').at(-1)!;
    await fetch(`${double.url}/v1/agent/check/pass/service:a?note=still-fine`, { method: 'PUT' });
    await waitFor(() => open.status === 200, { message: 'the woken query answering' });
    expect(registry.getCachedInstances('search')).toBe(first);
    expect(heard).toEqual([]);
    await putService(double, {
      ID: 'b',
      Name: 'search',
      Address: '127.0.0.1',
      Port: 7002,
      Check: passingTtl,
    });
    await waitFor(() => heard.length === 1, { message: 'one notification for the new instance' });
    // The unchanged instance object is reused, so a balancer keyed on instances keeps its state.
    expect(heard[0]!.find((i) => i.id === 'a')).toBe(first[0]);
  });

  it('serves the last list while the agent is unreachable, warns once per outage, and recovers', async () => {
    const double = await agent();
    await putService(double, {
      ID: 'a',
      Name: 'search',
      Address: '127.0.0.1',
      Port: 7001,
      Check: passingTtl,
    });
    const logger = recordingLogger();
    // After the agent is back, the first answer is a blocking query that runs out its wait.
    const registry = registryOn(double, { wait: 1, logger });
    const list = await registry.getInstances('search');
    await double.stop();
    const retries = () => logger.at('debug').filter((l) => l.message.includes('retrying in')).length;
    await waitFor(() => retries() >= 3, { timeout: 15_000, message: 'three failed retries' });
    expect(registry.getCachedInstances('search')).toBe(list);
    expect(await registry.getInstances('search')).toBe(list);
    const warnings = logger.at('warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(
      /cannot reach the Consul agent at http:\/\/127\.0\.0\.1:\d+ while discovering 'search'/,
    );
    expect(warnings[0]!.message).toMatch(/serving the last 1 known instance\(s\) of 'search'/);

    await double.start();
    await waitFor(() => logger.at('info').some((l) => l.message.includes('answers again')), {
      timeout: 15_000,
      message: 'the registry noticing the agent is back',
    });
    await putService(double, {
      ID: 'b',
      Name: 'search',
      Address: '127.0.0.1',
      Port: 7002,
      Check: passingTtl,
    });
    await waitFor(() => registry.getCachedInstances('search')!.length === 2, {
      message: 'changes flowing again',
    });

    // A second outage is a second warning.
    await double.stop();
    await waitFor(() => logger.at('warn').length === 2, {
      timeout: 15_000,
      message: 'the second outage warning',
    });
  });

  it('rejects with a RegistryError when the agent is unreachable and nothing is cached', async () => {
    const double = await agent();
    await double.stop();
    const registry = registryOn(double, { logger: silentLogger });
    const error = await registry.getInstances('search').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as Error).message).toMatch(
      /cannot reach the Consul agent at .* while discovering 'search': .*ECONNREFUSED/,
    );
    // Nothing keeps retrying for a service nobody has seen: the next call asks again.
    await double.start();
    expect(await registry.getInstances('search')).toEqual([]);
  });

  it('filters by tag, and asks the configured datacenter', async () => {
    const double = await agent({ datacenter: 'eu-1' });
    await putService(double, { ID: 'a', Name: 'search', Port: 1, Tags: ['v1'], Check: passingTtl });
    await putService(double, { ID: 'b', Name: 'search', Port: 2, Tags: ['v2', 'canary'], Check: passingTtl });
    const registry = registryOn(double, { discoveryTag: 'v2', datacenter: 'eu-1', logger: silentLogger });
    expect((await registry.getInstances('search')).map((i) => i.id)).toEqual(['b']);
    const [request] = healthRequests(double, 'search');
    expect(request!.query.get('tag')).toBe('v2');
    expect(request!.query.get('dc')).toBe('eu-1');

    const elsewhere = registryOn(double, { datacenter: 'us-9', logger: silentLogger });
    const error = await elsewhere.getInstances('search').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as Error).message).toMatch(/datacenter 'us-9' is unknown to the Consul agent/);
  });

  it('keeps namespaces and partitions apart, for registration and discovery', async () => {
    const double = await agent();
    const teamA = registryOn(double, { namespace: 'team-a', partition: 'p1', logger: silentLogger });
    await teamA.register({ serviceName: 'search', host: '127.0.0.1', port: 1 });
    expect(double.state.allServices()[0]).toMatchObject({ namespace: 'team-a', partition: 'p1' });
    expect((await teamA.getInstances('search')).map((i) => i.port)).toEqual([1]);
    const request = healthRequests(double, 'search')[0]!;
    expect(request.headers['x-consul-namespace']).toBe('team-a');
    expect(request.query.get('partition')).toBe('p1');
    expect(await registryOn(double, { logger: silentLogger }).getInstances('search')).toEqual([]);
    expect(
      await registryOn(double, { namespace: 'team-b', partition: 'p1', logger: silentLogger }).getInstances(
        'search',
      ),
    ).toEqual([]);
  });

  it('lets a caller stop waiting with an AbortSignal', async () => {
    const double = await agent();
    await double.stop();
    const registry = registryOn(double, { logger: silentLogger });
    const aborted = AbortSignal.abort(new Error('caller gave up'));
    await expect(registry.getInstances('search', { signal: aborted })).rejects.toThrow('caller gave up');
  });

  it('gives unique ids when two nodes share a service ID', async () => {
    // The double has one node, so this feeds the mapping two entries as Consul would send them.
    const { toInstances } = await import('../src/instances.js');
    const entry = (node: string, address: string) => ({
      Node: { Node: node, Address: address },
      Service: { ID: 'web', Service: 'web', Address: '', Port: 80, Meta: {} },
      Checks: [{ Status: 'passing' }],
    });
    const list = toInstances('web', [entry('n1', '10.0.0.1'), entry('n2', '10.0.0.2')]);
    expect(list.map((i) => [i.id, i.host])).toEqual([
      ['web@n1', '10.0.0.1'],
      ['web@n2', '10.0.0.2'],
    ]);
  });
});

describe('blocking index rules (Consul blocking query documentation)', () => {
  it('follows X-Consul-Index, resets when it goes backwards, and never waits on less than 1', () => {
    expect(nextIndex(undefined, '42')).toBe('42');
    expect(nextIndex('42', '57')).toBe('57');
    expect(nextIndex('57', '12')).toBeUndefined();
    expect(nextIndex('57', '0')).toBe('1');
    expect(nextIndex('57', undefined)).toBe('1');
    expect(nextIndex(undefined, 'garbage')).toBe('1');
    expect(nextIndex(undefined, '18446744073709551615')).toBe('18446744073709551615');
  });
});
