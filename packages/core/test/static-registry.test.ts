import { describe, expect, it } from 'vitest';
import {
  ClosedError,
  ConfigError,
  RegistryError,
  type ServiceInstance,
  type StaticInstanceInput,
  staticRegistry,
} from '../src/index.js';
import { recordingLogger } from './support/recording.js';

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('staticRegistry', () => {
  it('builds frozen instances once with defaults: id host:port, weight 1, healthy, no metadata', async () => {
    const registry = staticRegistry({
      services: {
        users: [
          { host: '127.0.0.1', port: 8081, weight: 2, metadata: { zone: 'a' } },
          { host: 'users.internal', port: 8082, secure: true, id: 'custom' },
        ],
      },
    });
    const list = await registry.getInstances('users');
    expect(list).toEqual([
      {
        id: '127.0.0.1:8081',
        serviceName: 'users',
        host: '127.0.0.1',
        port: 8081,
        weight: 2,
        healthy: true,
        secure: false,
        metadata: { zone: 'a' },
      },
      {
        id: 'custom',
        serviceName: 'users',
        host: 'users.internal',
        port: 8082,
        weight: 1,
        healthy: true,
        secure: true,
        metadata: {},
      },
    ]);
    expect(Object.isFrozen(list)).toBe(true);
    for (const instance of list) {
      expect(Object.isFrozen(instance)).toBe(true);
      expect(Object.isFrozen(instance.metadata)).toBe(true);
    }
    expect(registry.getCachedInstances('users')).toBe(list);
    expect(await registry.getInstances('users')).toBe(list);
    expect(registry.name).toBe('static');
  });

  it('copies metadata so later changes to the input do not leak in', async () => {
    const metadata: Record<string, string> = { zone: 'a' };
    const registry = staticRegistry({ services: { s: [{ host: 'h', port: 1, metadata }] } });
    metadata.zone = 'b';
    expect((await registry.getInstances('s'))[0]!.metadata).toEqual({ zone: 'a' });
  });

  it.each<[string, unknown, string]>([
    [
      'host missing',
      { port: 1 },
      'services.users[0].host: expected a host name or IP address, found undefined',
    ],
    ['host empty', { host: ' ', port: 1 }, 'services.users[0].host'],
    ['host with a path', { host: 'a/b', port: 1 }, 'services.users[0].host'],
    [
      'port 0',
      { host: 'h', port: 0 },
      'services.users[0].port: expected an integer from 1 to 65535, found 0',
    ],
    ['port too big', { host: 'h', port: 70000 }, 'found 70000'],
    ['port fraction', { host: 'h', port: 80.5 }, 'found 80.5'],
    ['port string', { host: 'h', port: '80' }, 'found "80"'],
    [
      'weight negative',
      { host: 'h', port: 1, weight: -1 },
      'services.users[0].weight: expected a finite number >= 0, found -1',
    ],
    ['weight NaN', { host: 'h', port: 1, weight: Number.NaN }, 'found NaN'],
    ['secure string', { host: 'h', port: 1, secure: 'yes' }, 'services.users[0].secure: expected a boolean'],
    ['id empty', { host: 'h', port: 1, id: '' }, 'services.users[0].id: expected a non-empty string'],
    [
      'metadata array',
      { host: 'h', port: 1, metadata: [] },
      'services.users[0].metadata: expected an object of strings, found an array',
    ],
    [
      'metadata number',
      { host: 'h', port: 1, metadata: { v: 1 } },
      'services.users[0].metadata.v: expected a string, found 1',
    ],
    ['instance not an object', 'h:1', 'services.users[0]: expected an object with host and port'],
  ])('refuses %s with a ConfigError naming the key path', (_name, instance, message) => {
    const error = configError(() =>
      staticRegistry({ services: { users: [instance as StaticInstanceInput] } }),
    );
    expect(error.file).toBe('<staticRegistry>');
    expect(error.message).toContain(message);
  });

  it('refuses malformed services, service names and duplicates', () => {
    expect(configError(() => staticRegistry({ services: [] as never })).keyPath).toBe('services');
    expect(configError(() => staticRegistry(null as never)).message).toContain(
      'expected an options object, found null',
    );
    expect(configError(() => staticRegistry({ services: { users: 'h:1' as never } })).message).toContain(
      'services.users: expected a list of instances',
    );
    expect(configError(() => staticRegistry({ services: { 'a/b': [] } })).message).toContain(
      "services.a/b: expected a service name: non-empty, without '/', ':' or white space",
    );
    const duplicate = configError(() =>
      staticRegistry({
        services: {
          users: [
            { host: 'h', port: 1 },
            { host: 'h', port: 2 },
            { host: 'h', port: 1 },
          ],
        },
      }),
    );
    expect(duplicate.keyPath).toBe('services.users[2]');
    expect(duplicate.found).toBe("a second 'h:1' (first at services.users[0])");
  });

  it('setInstances replaces a list, keeps the array for an equal list, and tells listeners of real changes', () => {
    const registry = staticRegistry({ services: { s: [{ host: 'h', port: 1 }] } });
    const heard: (readonly ServiceInstance[])[] = [];
    const stop = registry.subscribe('s', (list) => heard.push(list));
    const first = registry.getCachedInstances('s');
    registry.setInstances('s', [{ host: 'h', port: 1 }]);
    expect(registry.getCachedInstances('s')).toBe(first);
    expect(heard).toHaveLength(0);
    registry.setInstances('s', [{ host: 'h', port: 1, metadata: { v: '2' } }]);
    registry.setInstances('s', [{ host: 'h', port: 1, metadata: { w: '2' } }]);
    registry.setInstances('s', [{ host: 'h', port: 1, metadata: { w: '2', x: '3' } }]);
    registry.setInstances('s', [{ host: 'h', port: 2 }]);
    registry.setInstances('s', []);
    expect(heard.map((list) => list.map((i) => [i.port, i.metadata]))).toEqual([
      [[1, { v: '2' }]],
      [[1, { w: '2' }]],
      [[1, { w: '2', x: '3' }]],
      [[2, {}]],
      [],
    ]);
    expect(registry.getCachedInstances('s')).toEqual([]);
    stop();
    stop();
    registry.setInstances('s', [{ host: 'h', port: 3 }]);
    expect(heard).toHaveLength(5);
  });

  it('register replaces an instance with the same id, and a listener that throws is logged', async () => {
    const logger = recordingLogger();
    const registry = staticRegistry({ logger });
    registry.subscribe('s', () => {
      throw new Error('listener bug');
    });
    const heard: number[] = [];
    registry.subscribe('s', (list) => heard.push(list[0]!.weight));
    await registry.register({ serviceName: 's', host: 'h', port: 1 });
    await registry.register({ serviceName: 's', host: 'h', port: 1, weight: 5 });
    expect((await registry.getInstances('s')).map((i) => i.weight)).toEqual([5]);
    expect(heard).toEqual([1, 5]);
    expect(logger.entries.map((e) => e.message)).toEqual([
      "a listener of service 's' threw; ignored",
      "a listener of service 's' threw; ignored",
    ]);
  });

  it('refuses a malformed registration with a RegistryError, and registering after close with ClosedError', async () => {
    const registry = staticRegistry();
    const error = await registry.register({ serviceName: 's', host: 'h', port: -1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).message).toContain(
      '[static] cannot register: <staticRegistry>: instance.port',
    );
    expect((error as RegistryError).cause).toBeInstanceOf(ConfigError);
    const badName = await registry.register({ serviceName: '', host: 'h', port: 1 }).catch((e: unknown) => e);
    expect((badName as Error).message).toContain('instance.serviceName');
    expect(() => registry.subscribe('s', 'nope' as never)).toThrow(ConfigError);
    await registry.close();
    await expect(registry.register({ serviceName: 's', host: 'h', port: 1 })).rejects.toBeInstanceOf(
      ClosedError,
    );
  });

  it('deregister ignores unknown services and malformed input; close keeps configured instances', async () => {
    const registry = staticRegistry({ services: { fixed: [{ host: 'h', port: 1 }] } });
    await expect(registry.deregister({ serviceName: 'none', host: 'h', port: 1 })).resolves.toBeUndefined();
    await expect(registry.deregister(undefined as never)).resolves.toBeUndefined();
    await registry.register({ serviceName: 'fixed', host: 'h', port: 2 });
    await registry.register({ serviceName: 'fixed', host: 'h', port: 3, id: 'three' });
    await registry.deregister({ serviceName: 'fixed', host: 'ignored', port: 9, id: 'three' });
    expect((await registry.getInstances('fixed')).map((i) => i.port)).toEqual([1, 2]);
    await registry.close();
    expect((await registry.getInstances('fixed')).map((i) => i.port)).toEqual([1]);
  });
});
