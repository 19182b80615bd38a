import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigError,
  type LoadBalancer,
  MetricsInterceptor,
  ServiceManager,
  ServiceUnavailableError,
  staticRegistry,
  TimeoutError,
} from '../src/index.js';
import { echoHandler, startServer, type TestServer } from './support/http-server.js';

/** Answers with the port it listens on, so a test can count where calls went. */
async function portServer(): Promise<TestServer> {
  const server = await startServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(String(server.port));
  });
  return server;
}

describe('create with a config object', () => {
  const servers: TestServer[] = [];
  beforeAll(async () => {
    servers.push(await portServer(), await portServer());
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  it('uses the lb type the config names (smooth weighted round robin: 3 to 1)', async () => {
    const [heavy, light] = servers as [TestServer, TestServer];
    await using manager = await ServiceManager.create({
      config: {
        serviceCaller: { lbType: 'weight_round_robin' },
        appRegistry: {
          static: {
            services: {
              svc: [
                { host: '127.0.0.1', port: heavy.port, weight: 3 },
                { host: '127.0.0.1', port: light.port, weight: 1 },
              ],
            },
          },
        },
      },
    });
    const seen: string[] = [];
    for (let i = 0; i < 8; i++) seen.push(await manager.get<string>('svc', '/'));
    expect(seen.filter((p) => p === String(heavy.port))).toHaveLength(6);
    expect(seen.filter((p) => p === String(light.port))).toHaveLength(2);
    // Smooth: the light instance is never picked twice in a row, the heavy one at most 3 times.
    expect(seen.join(',')).not.toContain(`${light.port},${light.port}`);
  });

  it('exposes the validated config, defaults filled in, frozen', async () => {
    await using manager = await ServiceManager.create({ config: { serviceCaller: { readTimeout: 2 } } });
    expect(manager.settings.serviceCaller).toEqual({
      lbType: 'round_robin',
      connectionTimeout: 6,
      readTimeout: 2,
      timeout: 30,
      connectionPoolSize: 100,
      maxResponseSize: 64 * 1024 * 1024,
    });
    expect(Object.isFrozen(manager.settings.serviceCaller)).toBe(true);
    expect(manager.registry.name).toBe('static');
  });

  it('an injected load balancer overrides the config, a type name too', async () => {
    const [first, second] = servers as [TestServer, TestServer];
    const services = {
      svc: [
        { host: '127.0.0.1', port: first.port },
        { host: '127.0.0.1', port: second.port },
      ],
    };
    const lastOne: LoadBalancer = {
      name: 'last_one',
      pick: (instances) => ({ instance: instances[instances.length - 1]! }),
    };
    await using manager = await ServiceManager.create({
      config: { serviceCaller: { lbType: 'round_robin' }, appRegistry: { static: { services } } },
      loadBalancer: lastOne,
    });
    for (let i = 0; i < 3; i++) await expect(manager.get('svc', '/')).resolves.toBe(String(second.port));

    await using byName = await ServiceManager.create({
      config: { appRegistry: { static: { services } } },
      loadBalancer: 'weight_round_robin',
    });
    expect(new Set([await byName.get('svc', '/'), await byName.get('svc', '/')]).size).toBe(2);
  });

  it('turns the read timeout (seconds) into a TimeoutError "read" against a server that stalls', async () => {
    const stalling = await startServer((_req, res) => {
      // Headers go out, the body never comes.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"partial":');
    });
    try {
      await using manager = await ServiceManager.create({
        config: {
          serviceCaller: { readTimeout: 0.2, connectionTimeout: 1 },
          appRegistry: { static: { services: { slow: [{ host: '127.0.0.1', port: stalling.port }] } } },
        },
      });
      const error = await manager.get('slow', '/').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as TimeoutError).phase).toBe('read');
      expect((error as TimeoutError).timeoutMs).toBe(200);
    } finally {
      await stalling.close();
    }
  });

  it('fails with a ConfigError that names the key path of a bad value', async () => {
    const error = await ServiceManager.create({
      config: { serviceCaller: { lbType: 'round-robin' as 'round_robin' } },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    // A config object is named in its own (camelCase) keys.
    expect((error as ConfigError).keyPath).toBe('serviceCaller.lbType');
    expect((error as ConfigError).file).toBe('<config object>');
  });
});

describe('secrets', () => {
  it('never shows a config secret when the manager is printed', async () => {
    const registry = staticRegistry();
    await using manager = await ServiceManager.create({
      config: {
        appRegistry: {
          nacos: { serverAddr: '127.0.0.1:8848', username: 'nacos', password: 'pw-never-shown' },
        },
      },
      registry,
      interceptors: [new MetricsInterceptor()],
    });
    const shown = [inspect(manager), String(manager), JSON.stringify(manager) ?? ''].join('\n');
    expect(shown).not.toContain('pw-never-shown');
    expect(inspect(manager)).toBe(
      'ServiceManager { registry: static, transport: undici, loadBalancer: round_robin, interceptors: [MetricsInterceptor] }',
    );
    await registry.close();
  });
});

describe('create without config', () => {
  it('starts with the empty static registry', async () => {
    await using manager = await ServiceManager.create();
    expect(manager.registry.name).toBe('static');
    await expect(manager.get('anything', '/')).rejects.toBeInstanceOf(ServiceUnavailableError);
  });
});

describe('create with configDir', () => {
  let dir: string;
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(echoHandler);
    dir = await mkdtemp(join(tmpdir(), 'caller-config-'));
    await writeFile(
      join(dir, 'application.yaml'),
      [
        'service-caller:',
        '  lb-type: random',
        '  read-timeout: 3',
        'app-registry:',
        '  static:',
        '    services:',
        '      other-app:',
        '        - host: 127.0.0.1',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the YAML's variable syntax, expanded by the loader
        '          port: ${OTHER_APP_PORT:1}',
        '',
      ].join('\n'),
    );
    await writeFile(
      join(dir, 'application-dev.yaml'),
      ['service-caller:', '  read-timeout: 4', ''].join('\n'),
    );
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads application.yaml, expands variables from env and calls through it', async () => {
    await using manager = await ServiceManager.create({
      configDir: dir,
      env: { OTHER_APP_PORT: String(server.port) },
    });
    expect(manager.settings.serviceCaller.lbType).toBe('random');
    expect(manager.settings.serviceCaller.readTimeout).toBe(3);
    await expect(manager.get('other-app', '/hello')).resolves.toMatchObject({ method: 'GET', url: '/hello' });
  });

  it('overlays application-{profile}.yaml, from the option or APP_PROFILE', async () => {
    const env = { OTHER_APP_PORT: String(server.port) };
    await using byOption = await ServiceManager.create({ configDir: dir, profile: 'dev', env });
    expect(byOption.settings.serviceCaller.readTimeout).toBe(4);
    await using byEnv = await ServiceManager.create({ configDir: dir, env: { ...env, APP_PROFILE: 'dev' } });
    expect(byEnv.settings.serviceCaller.readTimeout).toBe(4);
  });

  it('names the file in the ConfigError for a bad value', async () => {
    const bad = await mkdtemp(join(tmpdir(), 'caller-bad-config-'));
    try {
      await writeFile(join(bad, 'application.yaml'), 'service-caller:\n  read-timeout: soon\n');
      const error = await ServiceManager.create({ configDir: bad }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).file).toContain('application.yaml');
      expect((error as ConfigError).keyPath).toBe('service-caller.read-timeout');
    } finally {
      await rm(bad, { recursive: true, force: true });
    }
  });
});

describe('options that do not fit together', () => {
  it('refuses configDir and config together', async () => {
    const error = await ServiceManager.create({ configDir: '.', config: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('either configDir or config');
  });

  it('refuses a profile without configDir', async () => {
    await expect(ServiceManager.create({ profile: 'dev', config: {} })).rejects.toThrow(/profile/);
  });

  it('refuses an unknown load balancer name or a non-balancer', async () => {
    const error = await ServiceManager.create({ loadBalancer: 'fastest' as 'random' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).keyPath).toBe('loadBalancer');
    await expect(ServiceManager.create({ loadBalancer: {} as LoadBalancer })).rejects.toBeInstanceOf(
      ConfigError,
    );
  });

  it('refuses a registry or transport that lacks the contract methods', async () => {
    await expect(ServiceManager.create({ registry: {} as never })).rejects.toMatchObject({
      keyPath: 'registry',
      found: 'an object without getInstances',
    });
    await expect(ServiceManager.create({ transport: { send: () => {} } as never })).rejects.toMatchObject({
      keyPath: 'transport',
      found: 'an object without close',
    });
    await expect(ServiceManager.create({ transport: 'undici' as never })).rejects.toMatchObject({
      keyPath: 'transport',
      found: 'a string',
    });
  });

  it('refuses a logger without the four level methods, naming the missing ones', async () => {
    await expect(ServiceManager.create({ logger: { info: () => {} } as never })).rejects.toMatchObject({
      keyPath: 'logger',
      found: 'an object without debug, warn, error',
    });
    await expect(ServiceManager.create({ logger: null as never })).rejects.toMatchObject({
      keyPath: 'logger',
      found: 'null',
    });
  });

  it('refuses options that are not an object', async () => {
    await expect(ServiceManager.create(null as never)).rejects.toBeInstanceOf(ConfigError);
  });
});
