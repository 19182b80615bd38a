import { fileURLToPath } from 'node:url';
import { type Logger, type ServiceRegistry, silentLogger } from '@service-caller/core';
import { waitFor } from '@service-caller/testkit';
import { describe, expect, it } from 'vitest';
import { agent, onCleanup, upstream } from './helpers.js';

/**
 * The promise of the issue: the same ServiceManager code, with `app-registry.consul` instead of
 * another registry section, registers and discovers through Consul.
 *
 * `@service-caller/caller` depends on this package (as an optional peer, and in development), so
 * this package cannot list it back without a dependency cycle in the workspace. The test loads
 * the facade from its source folder instead, and types only the part of it it uses.
 */
interface Manager {
  get<T>(serviceName: string, path: string): Promise<T>;
  readonly registry: ServiceRegistry;
  close(): Promise<void>;
}
interface ManagerFactory {
  create(options: { config: unknown; logger?: Logger }): Promise<Manager>;
}

async function loadServiceManager(): Promise<ManagerFactory> {
  const entry = fileURLToPath(new URL('../../caller/src/index.ts', import.meta.url));
  const facade = (await import(/* @vite-ignore */ entry)) as { ServiceManager: ManagerFactory };
  return facade.ServiceManager;
}

/** The call code both managers run, unchanged: which upstream answered each of four calls. */
async function whoAnswers(manager: Manager): Promise<string[]> {
  const answered: string[] = [];
  for (let i = 0; i < 4; i++) {
    const body = await manager.get<{ server: string; path: string }>('greeter', '/hello');
    expect(body.path).toBe('/hello');
    answered.push(body.server);
  }
  return answered.sort();
}

describe('one call code, two registries', () => {
  it('runs the same calls through a static-registry manager and a Consul manager', async () => {
    const ServiceManager = await loadServiceManager();
    const double = await agent();
    const a = await upstream('greeter-a');
    const b = await upstream('greeter-b');
    const open = async (config: unknown) => {
      const manager = await ServiceManager.create({ config, logger: silentLogger });
      onCleanup(() => manager.close());
      return manager;
    };
    const consul = (extra: Record<string, unknown> = {}) => ({
      appRegistry: {
        consul: { host: '127.0.0.1', port: double.port, check: { type: 'ttl', interval: 5 }, ...extra },
      },
    });

    // The greeter instances register themselves in Consul through their own managers.
    const greeterA = await open(consul({ appName: 'greeter', ip: '127.0.0.1', servicePort: a.port }));
    const greeterB = await open(
      consul({ appName: 'greeter', ip: '127.0.0.1', servicePort: b.port, weight: 1 }),
    );
    expect(
      double.state
        .allServices()
        .map((s) => s.id)
        .sort(),
    ).toEqual([`greeter-127.0.0.1-${a.port}`, `greeter-127.0.0.1-${b.port}`].sort());

    const viaStatic = await open({
      appRegistry: {
        static: {
          services: {
            greeter: [
              { host: '127.0.0.1', port: a.port },
              { host: '127.0.0.1', port: b.port },
            ],
          },
        },
      },
    });
    const viaConsul = await open(consul());
    expect(viaStatic.registry.name).toBe('static');
    expect(viaConsul.registry.name).toBe('consul');

    const expected = ['greeter-a', 'greeter-a', 'greeter-b', 'greeter-b'];
    expect(await whoAnswers(viaStatic)).toEqual(expected);
    expect(await whoAnswers(viaConsul)).toEqual(expected);

    // Closing a greeter's manager deregisters it; the Consul caller follows, the code unchanged.
    await greeterB.close();
    await waitFor(() => viaConsul.registry.getCachedInstances?.('greeter')?.length === 1, {
      message: 'the Consul manager seeing greeter-b leave',
    });
    expect(await whoAnswers(viaConsul)).toEqual(['greeter-a', 'greeter-a', 'greeter-a', 'greeter-a']);
    await greeterA.close();
    expect(double.state.allServices()).toEqual([]);
  });
});
