import type { InstanceRegistration, ServiceInstance, ServiceRegistry } from '@service-caller/core';
import type { PortsFixture, RegistryFixtures } from '../portable/fixtures.js';
import type { SuiteApi } from '../portable/suite-api.js';
import { waitFor } from '../wait.js';

/*
 * The registry suite's cases, written against SuiteApi and async fixtures like the transport
 * suite's, so they run under vitest (testRegistry) and on other runtimes alike.
 */

/** Options of `testRegistry`. */
export interface TestRegistryOptions {
  /** Names the suite: `registry conformance: <name>`. */
  name: string;
  /** Makes a fresh registry; called once or more per test, each one closed after the test. */
  create: () => ServiceRegistry | Promise<ServiceRegistry>;
  /**
   * Makes a second, independent client of the same backend, used to see that `close()` really
   * deregisters. Pass it for registries with a server (`createObserver: create` usually fits).
   * Without it (an in-memory registry) the suite watches `close()` through the registry's own
   * `subscribe`.
   */
  createObserver?: () => ServiceRegistry | Promise<ServiceRegistry>;
  /** How long a change may take to show, in milliseconds. @default 10_000 */
  propagationTimeout?: number;
  /** Registers more tests inside the suite's `describe`. */
  additionalTests?: () => void;
}

/**
 * Registers the registry conformance suite through `api`, with health-check servers from
 * `fixtures`. What it checks: see {@link testRegistry}, its vitest binding.
 */
export function registrySuite(api: SuiteApi, options: TestRegistryOptions, fixtures: RegistryFixtures): void {
  const { describe, it, expect, beforeAll, afterAll, afterEach } = api;
  const { name, create, createObserver, propagationTimeout = 10_000, additionalTests } = options;
  const testTimeout = propagationTimeout * 4 + 20_000;

  describe(`registry conformance: ${name}`, () => {
    let servers: PortsFixture | undefined;
    let ports: readonly number[] = [];
    const opened: ServiceRegistry[] = [];
    const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    let serial = 0;

    beforeAll(async () => {
      servers = await fixtures.startHealthServers(4);
      ports = servers.ports;
    });

    afterAll(async () => {
      await servers?.close();
    });

    afterEach(async () => {
      const closing = opened.splice(0);
      await Promise.all(closing.map((registry) => registry.close()));
    });

    /** A service name no other test, run or process uses. */
    const uniqueService = () => `conformance-${slug(name)}-${runId}-${++serial}`;

    const open = async (factory: () => ServiceRegistry | Promise<ServiceRegistry>) => {
      const registry = await factory();
      opened.push(registry);
      return registry;
    };

    const registration = (serviceName: string, i: number): InstanceRegistration => ({
      serviceName,
      host: '127.0.0.1',
      port: ports[i]!,
      weight: i + 1,
      metadata: { zone: `zone-${i}`, version: '1.0.0' },
    });

    /** Waits until the registry lists exactly the instances on `expected` ports. */
    const waitForPorts = (
      registry: ServiceRegistry,
      serviceName: string,
      expected: number[],
      what: string,
    ): Promise<readonly ServiceInstance[]> =>
      waitFor(
        async () => {
          const list = await registry.getInstances(serviceName);
          return samePorts(list, expected) && list;
        },
        { timeout: propagationTimeout, message: `${what} (ports ${expected.join(', ') || 'none'})` },
      ) as Promise<readonly ServiceInstance[]>;

    it(
      'discovers registered instances, each with id, serviceName, host, port and healthy',
      async () => {
        const registry = await open(create);
        const service = uniqueService();
        for (let i = 0; i < 3; i++) await registry.register(registration(service, i));
        const list = await waitForPorts(registry, service, ports.slice(0, 3), 'three registered instances');
        const ids = new Set<string>();
        for (const instance of list) {
          expect(typeof instance.id).toBe('string');
          expect(instance.id.length).toBeGreaterThan(0);
          ids.add(instance.id);
          expect(instance.serviceName).toBe(service);
          expect(instance.host).toBe('127.0.0.1');
          expect(Number.isInteger(instance.port)).toBe(true);
          expect(instance.healthy).toBe(true);
          expect(typeof instance.metadata).toBe('object');
        }
        expect(ids.size).toBe(3);
      },
      testTimeout,
    );

    it(
      'keeps weight and metadata',
      async () => {
        const registry = await open(create);
        const service = uniqueService();
        for (let i = 0; i < 3; i++) await registry.register(registration(service, i));
        const list = await waitForPorts(registry, service, ports.slice(0, 3), 'three registered instances');
        for (let i = 0; i < 3; i++) {
          const instance = list.find((candidate) => candidate.port === ports[i]);
          expect(instance?.weight).toBe(i + 1);
          expect(instance?.metadata).toMatchObject({ zone: `zone-${i}`, version: '1.0.0' });
        }
      },
      testTimeout,
    );

    it(
      'answers getCachedInstances from memory, with the same array until the list changes',
      async () => {
        const registry = await open(create);
        const service = uniqueService();
        expect(
          registry.getCachedInstances,
          'getCachedInstances is what keeps calls off the registry',
        ).toBeTypeOf('function');
        expect(registry.getCachedInstances!(`${service}-never-seen`)).toBeUndefined();
        for (let i = 0; i < 3; i++) await registry.register(registration(service, i));
        await waitForPorts(registry, service, ports.slice(0, 3), 'three registered instances');
        const cached = registry.getCachedInstances!(service);
        expect(cached !== undefined && samePorts(cached, ports.slice(0, 3))).toBe(true);
        expect(registry.getCachedInstances!(service)).toBe(cached);
        expect(await registry.getInstances(service)).toBe(cached);

        await registry.register(registration(service, 3));
        const changed = await waitForPorts(registry, service, ports.slice(0, 4), 'a fourth instance');
        expect(changed).not.toBe(cached);
        expect(registry.getCachedInstances!(service)).toBe(changed);
        // The old array is never mutated: a balancer may still be holding it.
        expect(samePorts(cached!, ports.slice(0, 3))).toBe(true);
      },
      testTimeout,
    );

    it(
      'tells subscribers about each real change and never about a non-change',
      async ({ skip }) => {
        const registry = await open(create);
        if (registry.subscribe === undefined) skip('the registry has no subscribe()');
        const service = uniqueService();
        for (let i = 0; i < 3; i++) await registry.register(registration(service, i));
        await waitForPorts(registry, service, ports.slice(0, 3), 'three registered instances');

        const heard: (readonly ServiceInstance[])[] = [];
        const stop = registry.subscribe!(service, (list) => heard.push(list));
        await registry.register(registration(service, 3));
        await waitFor(() => heard.some((list) => samePorts(list, ports.slice(0, 4))), {
          timeout: propagationTimeout,
          message: 'the subscriber hearing the fourth instance',
        });
        // Registering an identical instance again changes nothing; removing one does.
        await registry.register(registration(service, 3));
        await registry.deregister(registration(service, 0));
        await waitFor(() => samePorts(heard.at(-1) ?? [], ports.slice(1, 4)), {
          timeout: propagationTimeout,
          message: 'the subscriber hearing the first instance leave',
        });
        for (let i = 1; i < heard.length; i++) {
          expect(signature(heard[i]!), `notification ${i} repeats the list before it`).not.toBe(
            signature(heard[i - 1]!),
          );
        }
        for (const list of heard) {
          for (const instance of list) expect(instance.serviceName).toBe(service);
        }

        stop();
        const count = heard.length;
        await registry.deregister(registration(service, 1));
        await waitForPorts(registry, service, ports.slice(2, 4), 'the second instance leaving');
        expect(heard.length, 'a listener heard a change after unsubscribing').toBe(count);
      },
      testTimeout,
    );

    it(
      'deregisters an instance, and ignores deregistering an unknown one',
      async () => {
        const registry = await open(create);
        const service = uniqueService();
        for (let i = 0; i < 3; i++) await registry.register(registration(service, i));
        await waitForPorts(registry, service, ports.slice(0, 3), 'three registered instances');
        await registry.deregister(registration(service, 0));
        await waitForPorts(registry, service, ports.slice(1, 3), 'the first instance leaving');
        await expect(registry.deregister(registration(service, 0))).resolves.toBeUndefined();
        await expect(registry.deregister(registration(service, 3))).resolves.toBeUndefined();
        expect(samePorts(await registry.getInstances(service), ports.slice(1, 3))).toBe(true);
      },
      testTimeout,
    );

    it(
      'resolves an unknown service to an empty list',
      async () => {
        const registry = await open(create);
        await expect(registry.getInstances(`${uniqueService()}-unknown`)).resolves.toEqual([]);
      },
      testTimeout,
    );

    it(
      'deregisters what it registered on close(), and close() can be called twice',
      async () => {
        const registry = await open(create);
        const service = uniqueService();
        for (let i = 0; i < 2; i++) await registry.register(registration(service, i));
        await waitForPorts(registry, service, ports.slice(0, 2), 'two registered instances');
        if (createObserver !== undefined) {
          const observer = await open(createObserver);
          await waitForPorts(observer, service, ports.slice(0, 2), 'the observer seeing two instances');
          await registry.close();
          await registry.close();
          await waitForPorts(observer, service, [], 'the observer seeing the instances gone after close()');
        } else {
          expect(
            registry.subscribe,
            'without createObserver the suite watches close() by subscribe',
          ).toBeTypeOf('function');
          const heard: (readonly ServiceInstance[])[] = [];
          registry.subscribe!(service, (list) => heard.push(list));
          await registry.close();
          await registry.close();
          await waitFor(() => samePorts(heard.at(-1) ?? ports, []), {
            timeout: propagationTimeout,
            message: 'close() deregistering both instances',
          });
        }
      },
      testTimeout,
    );

    additionalTests?.();
  });
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'registry'
  );
}

function samePorts(
  list: readonly ServiceInstance[] | readonly number[],
  expected: readonly number[],
): boolean {
  const ports = list.map((entry) => (typeof entry === 'number' ? entry : entry.port)).sort((a, b) => a - b);
  const wanted = [...expected].sort((a, b) => a - b);
  return ports.length === wanted.length && ports.every((port, i) => port === wanted[i]);
}

function signature(list: readonly ServiceInstance[]): string {
  return JSON.stringify(
    list
      .map((instance) => [
        instance.id,
        instance.host,
        instance.port,
        instance.weight,
        instance.healthy,
        instance.metadata,
      ])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
  );
}
