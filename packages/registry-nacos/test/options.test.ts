import { inspect } from 'node:util';
import { ConfigError, isConfigError } from '@service-caller/core';
import { describe, expect, it } from 'vitest';
import { nacosRegistry } from '../src/index.js';
import { normalizeOptions, parseServerAddr } from '../src/options.js';

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(isConfigError(error), `expected a ConfigError, got ${String(error)}`).toBe(true);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

describe('parseServerAddr', () => {
  it('reads host:port lists, IPv6 in brackets, and a missing port as 8848', () => {
    expect(parseServerAddr('127.0.0.1:8848', false)).toEqual([
      { host: '127.0.0.1', port: 8848, origin: 'http://127.0.0.1:8848' },
    ]);
    expect(parseServerAddr(' nacos-a:8848 , nacos-b:9000,nacos-c ', true).map((s) => s.origin)).toEqual([
      'https://nacos-a:8848',
      'https://nacos-b:9000',
      'https://nacos-c:8848',
    ]);
    expect(parseServerAddr('[::1]:8850,[fe80::1]', false)).toEqual([
      { host: '::1', port: 8850, origin: 'http://[::1]:8850' },
      { host: 'fe80::1', port: 8848, origin: 'http://[fe80::1]:8848' },
    ]);
  });

  it.each([
    ['http://127.0.0.1:8848', 'without a scheme'],
    ['127.0.0.1:8848,,127.0.0.2:8848', 'without empty ones'],
    ['127.0.0.1:0', 'port from 1 to 65535'],
    ['127.0.0.1:65536', 'port from 1 to 65535'],
    ['127.0.0.1:', 'port from 1 to 65535'],
    ['127.0.0.1:88x', 'port from 1 to 65535'],
    ['127.0.0.1:8848/nacos', 'without a path'],
    ['::1:8848', 'IPv6 address in brackets'],
    ['[::1', 'IPv6 address in brackets'],
    ['nacos host:8848', 'host name or IP address'],
    ['', "'host:port'"],
  ])('refuses %j, saying it expected %s', (serverAddr, expected) => {
    const error = configError(() => parseServerAddr(serverAddr, false));
    expect(error.keyPath).toBe('app-registry.nacos.server-addr');
    expect(error.file).toBe('<nacosRegistry options>');
    expect(error.expected).toContain(expected);
  });
});

describe('normalizeOptions', () => {
  it('applies the documented defaults', () => {
    const options = normalizeOptions({ serverAddr: '127.0.0.1:8848' });
    expect(options).toMatchObject({
      namespace: 'public',
      // Registration joins DEFAULT; discovery lists every cluster.
      cluster: 'DEFAULT',
      listCluster: undefined,
      group: 'DEFAULT_GROUP',
      username: undefined,
      password: undefined,
      weight: 1,
      metadata: {},
      ephemeral: true,
      secure: false,
      heartbeatIntervalMs: 5000,
      apiVersion: 'auto',
      registration: 'fail-fast',
      refreshIntervalMs: 5000,
      requestTimeoutMs: 5000,
      client: undefined,
    });
  });

  it('takes the YAML section as the facade passes it, times in seconds converted', () => {
    const options = normalizeOptions({
      serverAddr: '127.0.0.1:8848',
      namespace: 'dev',
      cluster: 'BJ',
      group: 'APPS',
      ip: '10.0.0.7',
      port: 9999,
      appName: 'my-app',
      username: 'nacos',
      password: 'p@ss',
      weight: 2.5,
      metadata: { zone: 'a' },
      ephemeral: false,
      secure: true,
      heartbeatInterval: 3,
      apiVersion: 'v3',
      registration: 'background',
    });
    expect(options).toMatchObject({
      namespace: 'dev',
      cluster: 'BJ',
      listCluster: 'BJ',
      registration: 'background',
      group: 'APPS',
      username: 'nacos',
      password: 'p@ss',
      weight: 2.5,
      metadata: { zone: 'a' },
      ephemeral: false,
      heartbeatIntervalMs: 3000,
      apiVersion: 'v3',
    });
    expect(options.servers[0]?.origin).toBe('https://127.0.0.1:8848');
  });

  it('treats an empty password (an unset NACOS_PASSWORD variable) as no login', () => {
    const options = normalizeOptions({ serverAddr: '127.0.0.1:8848', username: 'nacos', password: '' });
    expect(options.username).toBeUndefined();
    expect(options.password).toBeUndefined();
  });

  it.each([
    [{ weight: -1 }, 'app-registry.nacos.weight'],
    [{ weight: 10_001 }, 'app-registry.nacos.weight'],
    [{ weight: Number.NaN }, 'app-registry.nacos.weight'],
    [{ metadata: { zone: 1 } }, 'app-registry.nacos.metadata'],
    [{ metadata: ['a'] }, 'app-registry.nacos.metadata'],
    [{ apiVersion: 'v2' }, 'app-registry.nacos.api-version'],
    [{ cluster: 'A,B' }, 'app-registry.nacos.cluster'],
    [{ registration: 'retry' }, 'app-registry.nacos.registration'],
    [{ namespace: '' }, 'app-registry.nacos.namespace'],
    [{ heartbeatInterval: 0 }, 'app-registry.nacos.heartbeat-interval'],
    [{ refreshInterval: -5 }, 'refreshInterval'],
    [{ requestTimeout: Number.POSITIVE_INFINITY }, 'requestTimeout'],
    [{ port: 70_000 }, 'app-registry.nacos.port'],
    [{ ephemeral: 'yes' }, 'app-registry.nacos.ephemeral'],
    [{ logger: { warn() {} } }, 'logger'],
    [{ client: { registerInstance() {} } }, 'client'],
    [{ password: 'secret-value' }, 'app-registry.nacos.username'],
  ])('refuses %j at %s', (bad, keyPath) => {
    const error = configError(() => normalizeOptions({ serverAddr: '127.0.0.1:8848', ...(bad as object) }));
    expect(error.keyPath).toBe(keyPath);
  });

  it('never shows the password, even when it is the wrong type', () => {
    const error = configError(() =>
      normalizeOptions({
        serverAddr: '127.0.0.1:8848',
        username: 'nacos',
        password: 12345 as unknown as string,
      }),
    );
    expect(error.keyPath).toBe('app-registry.nacos.password');
    expect(error.message).not.toContain('12345');
    const missingUser = configError(() =>
      normalizeOptions({ serverAddr: '127.0.0.1:8848', password: 'hunter2-secret' }),
    );
    expect(missingUser.message).not.toContain('hunter2');
  });

  it('refuses options that are not an object', () => {
    expect(configError(() => normalizeOptions(undefined as never)).keyPath).toBe('app-registry.nacos');
  });

  it('needs no server-addr when an official client is given', () => {
    const client = {
      registerInstance: async () => {},
      deregisterInstance: async () => {},
      getAllInstances: async () => [],
    };
    expect(normalizeOptions({ client } as never).servers).toEqual([]);
  });
});

describe('nacosRegistry', () => {
  it('checks options before doing anything', () => {
    expect(() => nacosRegistry({ serverAddr: 'https://nacos:8848' })).toThrow(ConfigError);
  });

  it('keeps the password out of inspect() and JSON', async () => {
    const registry = nacosRegistry({
      serverAddr: '127.0.0.1:1',
      username: 'nacos',
      password: 'pw-never-printed',
    });
    expect(inspect(registry, { depth: 20, showHidden: true })).not.toContain('pw-never-printed');
    expect(JSON.stringify(registry)).not.toContain('pw-never-printed');
    expect(String(registry)).not.toContain('pw-never-printed');
    await registry.close();
  });

  it('is named nacos and closes twice without a server', async () => {
    const registry = nacosRegistry({ serverAddr: '127.0.0.1:1' });
    expect(registry.name).toBe('nacos');
    expect(registry.getCachedInstances?.('never-seen')).toBeUndefined();
    await registry.close();
    await registry.close();
    await expect(registry.getInstances('x')).rejects.toMatchObject({ code: 'SC_ERR_CLOSED' });
    await expect(registry.register({ serviceName: 'x', host: '127.0.0.1', port: 1 })).rejects.toMatchObject({
      code: 'SC_ERR_CLOSED',
    });
  });
});
