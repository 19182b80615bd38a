import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { detectHostAddress } from '@service-caller/core/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClosedError,
  ConfigError,
  type InstanceRegistration,
  RegistryError,
  ServiceManager,
  type ServiceManagerOptions,
  type ServiceRegistry,
  ServiceUnavailableError,
  staticRegistry,
  type Transport,
  undiciTransport,
} from '../src/index.js';
import { WIRING, type Wiring } from '../src/wiring.js';
import { echoHandler, startServer, type TestServer } from './support/http-server.js';
import { RecordingLogger } from './support/recording-logger.js';

const execFileAsync = promisify(execFile);

/** Polls `condition` every few ms until it holds or `ms` pass. */
async function until(condition: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function withWiring(options: ServiceManagerOptions, wiring: Wiring): ServiceManagerOptions {
  return Object.assign({ ...options }, { [WIRING]: wiring });
}

describe('registration', () => {
  let provider: TestServer;
  beforeAll(async () => {
    provider = await startServer(echoHandler);
  });
  afterAll(() => provider.close());

  it('registers this service on create so another manager can call it by name, and deregisters on close', async () => {
    const shared = staticRegistry();
    const providerManager = await ServiceManager.create({
      config: {
        appRegistry: {
          nacos: {
            serverAddr: '127.0.0.1:8848',
            appName: 'provider-app',
            ip: '127.0.0.1',
            port: provider.port,
          },
        },
      },
      registry: shared,
    });
    await using callerManager = await ServiceManager.create({ registry: shared });
    const instances = await shared.getInstances('provider-app');
    expect(instances).toHaveLength(1);
    expect(instances[0]).toMatchObject({ host: '127.0.0.1', port: provider.port, weight: 1 });
    await expect(callerManager.get('provider-app', '/ping')).resolves.toMatchObject({ url: '/ping' });

    await providerManager.close();
    expect(await shared.getInstances('provider-app')).toHaveLength(0);
    await expect(callerManager.get('provider-app', '/ping')).rejects.toBeInstanceOf(ServiceUnavailableError);
    // The injected registry is the caller's: still open and usable after the manager closed.
    shared.setInstances('other', [{ host: '127.0.0.1', port: provider.port }]);
    await expect(callerManager.get('other', '/still-open')).resolves.toMatchObject({ url: '/still-open' });
    await shared.close();
  });

  it('registers from the consul section (service-port, meta, weight) and detects the host when ip is absent', async () => {
    const shared = staticRegistry();
    await using _provider = await ServiceManager.create({
      config: {
        appRegistry: {
          consul: { appName: 'consul-app', servicePort: provider.port, weight: 2, meta: { zone: 'a' } },
        },
      },
      registry: shared,
    });
    const [instance] = await shared.getInstances('consul-app');
    expect(instance).toMatchObject({
      host: detectHostAddress(),
      port: provider.port,
      weight: 2,
      metadata: { zone: 'a' },
    });
    await shared.close();
  });

  it('registers nothing when the section does not name both app and port', async () => {
    const shared = staticRegistry();
    const journal: string[] = [];
    const watching: ServiceRegistry = {
      name: 'watching',
      getInstances: (name) => shared.getInstances(name),
      register: async (r: InstanceRegistration) => {
        journal.push(`register ${r.serviceName}`);
      },
      deregister: async (r: InstanceRegistration) => {
        journal.push(`deregister ${r.serviceName}`);
      },
      close: async () => {
        journal.push('close');
      },
    };
    const manager = await ServiceManager.create({
      config: { appRegistry: { nacos: { serverAddr: '127.0.0.1:8848', appName: 'no-port' } } },
      registry: watching,
    });
    await manager.close();
    expect(journal).toEqual([]);
  });
});

describe('close', () => {
  let server: TestServer;
  let release: (() => void) | undefined;
  beforeAll(async () => {
    server = await startServer(async (req, res) => {
      if (req.url === '/slow') {
        await new Promise<void>((resolve) => {
          release = resolve;
        });
      }
      echoHandler(req, res);
    });
  });
  afterAll(() => server.close());

  it('refuses new calls at once, waits for calls in flight, deregisters, then resolves', async () => {
    const shared = staticRegistry({ services: { backend: [{ host: '127.0.0.1', port: server.port }] } });
    const manager = await ServiceManager.create({
      config: {
        appRegistry: { nacos: { serverAddr: '127.0.0.1:8848', appName: 'me', ip: '127.0.0.1', port: 1234 } },
      },
      registry: shared,
    });
    const events: string[] = [];
    const inFlight = manager.get('backend', '/slow').then((body) => {
      events.push('call done');
      return body;
    });
    await until(() => release !== undefined);
    const closing = manager.close().then(() => events.push('closed'));
    expect(manager.closed).toBe(true);
    await expect(manager.get('backend', '/late')).rejects.toBeInstanceOf(ClosedError);
    // Deregistration comes first, while the call is still held by the server.
    await until(async () => (await shared.getInstances('me')).length === 0);
    expect(events).toEqual([]);
    release?.();
    await expect(inFlight).resolves.toMatchObject({ url: '/slow' });
    await closing;
    expect(events).toEqual(['call done', 'closed']);
    expect(await shared.getInstances('me')).toHaveLength(0);
    expect(server.requests.some((r) => r.url === '/late')).toBe(false);
    await shared.close();
  });

  it('is idempotent and works with await using', async () => {
    let seen: ServiceManager | undefined;
    {
      await using manager = await ServiceManager.create();
      seen = manager;
      expect(manager.closed).toBe(false);
    }
    expect(seen?.closed).toBe(true);
    const again = seen!.close();
    expect(again).toBe(seen!.close());
    await expect(again).resolves.toBeUndefined();
  });

  it('closes what it built (transport, registry) and leaves what it was given open', async () => {
    const closed: string[] = [];
    const wiring: Wiring = {
      importModule: (specifier) => import(specifier),
      createTransport: (options) => {
        const real = undiciTransport(options);
        return {
          name: real.name,
          send: (request) => real.send(request),
          close: async () => {
            closed.push('own transport');
            await real.close();
          },
        };
      },
    };
    const own = await ServiceManager.create(withWiring({}, wiring));
    await own.close();
    expect(closed).toEqual(['own transport']);

    const transport: Transport = undiciTransport();
    const registry = staticRegistry({ services: { svc: [{ host: '127.0.0.1', port: server.port }] } });
    const given = await ServiceManager.create({ transport, registry });
    await given.get('svc', '/before');
    await given.close();
    // Both still work: they are the caller's to close.
    const res = await transport.send({
      method: 'GET',
      origin: `http://127.0.0.1:${server.port}`,
      path: '/direct',
      headers: {},
    });
    expect(res.status).toBe(200);
    await res.dispose();
    expect(await registry.getInstances('svc')).toHaveLength(1);
    await transport.close();
    await registry.close();
  });

  it('logs a failed deregistration and still closes', async () => {
    const logger = new RecordingLogger();
    const shared = staticRegistry();
    const failing: ServiceRegistry = {
      name: 'flaky',
      getInstances: (name) => shared.getInstances(name),
      register: (r) => shared.register(r),
      deregister: async () => {
        throw new RegistryError('flaky', 'server went away');
      },
      close: () => shared.close(),
    };
    const manager = await ServiceManager.create({
      config: {
        appRegistry: { nacos: { serverAddr: '127.0.0.1:8848', appName: 'me', ip: '127.0.0.1', port: 4321 } },
      },
      registry: failing,
      logger,
    });
    await expect(manager.close()).resolves.toBeUndefined();
    expect(logger.lines.some((l) => l.level === 'warn' && l.message.includes("deregistering 'me'"))).toBe(
      true,
    );
    await shared.close();
  });
});

describe('create failing halfway', () => {
  it('releases the registry and transport it built when registration fails', async () => {
    const closed: string[] = [];
    const wiring: Wiring = {
      // The adapter package, as the config selects it: a registry whose server refuses registration.
      importModule: async (specifier) => ({
        nacosRegistry: (options: { serverAddr: string; logger: unknown }) => {
          expect(specifier).toBe('@service-caller/registry-nacos');
          expect(options.serverAddr).toBe('127.0.0.1:8848');
          expect(options.logger).toBeDefined();
          const memory = staticRegistry();
          return {
            name: 'nacos',
            getInstances: (name: string) => memory.getInstances(name),
            register: async () => {
              throw new RegistryError('nacos', 'register refused: 403 forbidden');
            },
            deregister: (r: InstanceRegistration) => memory.deregister(r),
            close: async () => {
              closed.push('registry');
              await memory.close();
            },
          } satisfies ServiceRegistry;
        },
      }),
      createTransport: (options) => {
        const real = undiciTransport(options);
        return {
          name: real.name,
          send: (request) => real.send(request),
          close: async () => {
            closed.push('transport');
            await real.close();
          },
        };
      },
    };
    const error = await ServiceManager.create(
      withWiring(
        {
          config: {
            appRegistry: { nacos: { serverAddr: '127.0.0.1:8848', appName: 'me', ip: '127.0.0.1', port: 1 } },
          },
        },
        wiring,
      ),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect(closed).toEqual(['transport', 'registry']);
  });

  it('releases the transport when the engine refuses its options', async () => {
    const closed: string[] = [];
    const wiring: Wiring = {
      importModule: (specifier) => import(specifier),
      createTransport: (options) => {
        const real = undiciTransport(options);
        return {
          name: real.name,
          send: (r) => real.send(r),
          close: async () => void closed.push('transport'),
        };
      },
    };
    await expect(
      ServiceManager.create(withWiring({ interceptors: [{ name: 'bad', order: Number.NaN }] }, wiring)),
    ).rejects.toBeInstanceOf(ConfigError);
    expect(closed).toEqual(['transport']);
  });
});

describe('registry adapters', () => {
  let emptyDir: string;
  beforeAll(async () => {
    emptyDir = await mkdtemp(join(tmpdir(), 'caller-no-adapters-'));
  });
  afterAll(() => rm(emptyDir, { recursive: true, force: true }));

  /**
   * Imports the package the way a user's app does, with Node's own ESM loader in a separate
   * process started in a folder where no package is installed (this test process resolves
   * workspace packages through vitest and NODE_PATH), and rethrows Node's error as it came.
   */
  const notInstalled = (): Wiring => ({
    importModule: async (specifier) => {
      const script = `try { await import(${JSON.stringify(specifier)}); console.log('{}'); } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`;
      const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: emptyDir,
        env: {},
        timeout: 20_000,
      });
      const outcome = JSON.parse(stdout) as { code?: string; message?: string };
      if (outcome.message === undefined) return {};
      throw Object.assign(new Error(outcome.message), { code: outcome.code });
    },
    createTransport: (options) => undiciTransport(options),
  });

  it.each([
    ['nacos', '@service-caller/registry-nacos', { nacos: { serverAddr: '127.0.0.1:8848' } }],
    ['consul', '@service-caller/registry-consul', { consul: { host: '127.0.0.1' } }],
  ])(
    'fails create with a ConfigError naming the %s package to install',
    async (kind, packageName, appRegistry) => {
      const error = await ServiceManager.create(
        withWiring({ config: { appRegistry } }, notInstalled()),
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      const configError = error as ConfigError;
      expect(configError.keyPath).toBe(`app-registry.${kind}`);
      expect(configError.message).toContain(packageName);
      expect(configError.message).toContain(`npm install ${packageName}`);
      expect((configError.cause as { code?: string }).code).toBe('ERR_MODULE_NOT_FOUND');
    },
  );

  it('fails create with a ConfigError when the package lacks the factory', async () => {
    const wiring: Wiring = { ...notInstalled(), importModule: async () => ({ somethingElse: () => {} }) };
    const error = await ServiceManager.create(
      withWiring({ config: { appRegistry: { nacos: { serverAddr: '127.0.0.1:8848' } } } }, wiring),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('to export nacosRegistry()');
  });

  it('does not call a missing dependency of an installed adapter a missing adapter', async () => {
    const wiring: Wiring = {
      ...notInstalled(),
      importModule: async () => createRequire(join(emptyDir, 'index.js'))('some-sdk-the-adapter-needs'),
    };
    const error = await ServiceManager.create(
      withWiring({ config: { appRegistry: { nacos: { serverAddr: '127.0.0.1:8848' } } } }, wiring),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('an error while loading it');
    expect((error as Error).message).toContain('some-sdk-the-adapter-needs');
  });
});
