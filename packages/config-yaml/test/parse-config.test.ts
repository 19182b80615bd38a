import { describe, expect, it } from 'vitest';
import { parseConfig, redactConfig, type ServiceCallerConfig, selectedRegistry } from '../src/index.js';
import { expectConfigError, recordingLogger, SECRET } from './helpers.js';

const quiet = () => recordingLogger();

describe('parseConfig', () => {
  it('returns the typed config for a full object, unchanged where valid', () => {
    const input = {
      serviceCaller: {
        lbType: 'weight_round_robin',
        connectionTimeout: 2,
        readTimeout: 30,
        timeout: 45,
        connectionPoolSize: 8,
        maxResponseSize: 1024,
      },
      appRegistry: {
        nacos: {
          serverAddr: '10.0.0.1:8848,10.0.0.2:8848',
          namespace: 'dev',
          ip: '10.0.0.9',
          port: 9999,
          appName: 'my-app',
          username: 'nacos',
          password: SECRET,
          weight: 0,
          metadata: { zone: 'eu-1' },
          apiVersion: 'v3',
        },
      },
    };
    const config = parseConfig(input, { logger: quiet() });
    expect(config.serviceCaller).toEqual(input.serviceCaller);
    expect(config.appRegistry.nacos).toEqual({
      ...input.appRegistry.nacos,
      group: 'DEFAULT_GROUP',
      ephemeral: true,
      secure: false,
      heartbeatInterval: 5,
      registration: 'fail-fast',
    });
  });

  it('accepts IPv6 addresses for server-addr and ip', () => {
    const config = parseConfig(
      { appRegistry: { nacos: { serverAddr: '[::1]:8848', ip: 'fe80::1' } } },
      { logger: quiet() },
    );
    expect(config.appRegistry.nacos).toMatchObject({ serverAddr: '[::1]:8848', ip: 'fe80::1' });
  });

  it('does not modify its input, and returns objects that do not share it', () => {
    const input = { serviceCaller: { readTimeout: '5' }, appRegistry: { static: { services: { a: [] } } } };
    const frozen = structuredClone(input);
    const config = parseConfig(input, { logger: quiet() });
    expect(input).toEqual(frozen);
    expect(config.appRegistry.static?.services).not.toBe(input.appRegistry.static.services);
  });

  it('reports camelCase key paths and the source it was given', async () => {
    await expectConfigError(
      () => parseConfig({ serviceCaller: { lbType: 'RoundRobin' } }, { logger: quiet() }),
      {
        file: '<config object>',
        keyPath: 'serviceCaller.lbType',
        expected: 'a load balancer name (lower-case words joined by underscores, e.g. round_robin)',
        found: '"RoundRobin"',
      },
    );
    await expectConfigError(
      () =>
        parseConfig(
          { appRegistry: { static: { services: { api: [{ host: 'http://api', port: 80 }] } } } },
          { source: 'options.config', logger: quiet() },
        ),
      {
        file: 'options.config',
        keyPath: 'appRegistry.static.services.api[0].host',
        expected: 'a host name or IP address (no scheme, port or path)',
        found: '"http://api"',
        hint: 'remove the scheme http://; give the host alone',
      },
    );
  });

  it('hides a secret given with the wrong type', async () => {
    await expectConfigError(
      () => parseConfig({ appRegistry: { consul: { token: 4242424242 } } }, { logger: quiet() }),
      { file: '<config object>', keyPath: 'appRegistry.consul.token', expected: 'a string', found: '***' },
      ['4242424242'],
    );
  });

  it('refuses an empty app-name while the service port is set (consul)', async () => {
    await expectConfigError(
      () =>
        parseConfig({ appRegistry: { consul: { appName: ' ', servicePort: 8080 } } }, { logger: quiet() }),
      {
        file: '<config object>',
        keyPath: 'appRegistry.consul.appName',
        expected: 'a non-empty service name, since ip or service-port is set (this service registers itself)',
        found: '" "',
      },
    );
  });

  it('refuses something that is not a config object', async () => {
    for (const [input, found] of [
      [undefined, 'nothing'],
      ['application.yaml', '"application.yaml"'],
      [[], 'a list of 0 items'],
      [new Map(), 'a Map'],
    ] as const) {
      await expectConfigError(() => parseConfig(input, { logger: quiet() }), {
        file: '<config object>',
        keyPath: '',
        expected: 'a config object like { serviceCaller: {...}, appRegistry: {...} }',
        found,
      });
    }
  });

  it('refuses a bad consul check', async () => {
    await expectConfigError(
      () =>
        parseConfig(
          { appRegistry: { consul: { check: { type: 'tcp', path: 'health' } } } },
          { logger: quiet() },
        ),
      {
        file: '<config object>',
        keyPath: 'appRegistry.consul.check.type',
        expected: 'one of ttl, http',
        found: '"tcp"',
        hint: '1 more problem: appRegistry.consul.check.path',
      },
    );
  });
});

describe('redactConfig', () => {
  it('replaces every secret with *** and leaves the config itself alone', () => {
    const config = parseConfig(
      {
        appRegistry: {
          nacos: {
            serverAddr: '127.0.0.1:8848',
            username: 'nacos',
            password: SECRET,
            metadata: { zone: 'eu', 'db-password': 'pw-1', authToken: 'tk-1' },
          },
        },
        configSources: {
          nacos: { serverAddr: '127.0.0.1:8848', secretKey: 'sk-1', accessKey: 'ak-1' },
        },
      },
      { logger: quiet() },
    );
    const redacted = redactConfig(config);
    expect(redacted.appRegistry.nacos).toMatchObject({
      username: 'nacos',
      password: '***',
      metadata: { zone: 'eu', 'db-password': '***', authToken: '***' },
    });
    expect(redacted.configSources?.nacos).toMatchObject({ secretKey: '***', accessKey: '***' });
    expect(JSON.stringify(redacted)).not.toMatch(/Y789uioJKL|sk-1|ak-1|pw-1|tk-1/);
    expect(config.appRegistry.nacos?.password).toBe(SECRET);
  });

  it('hides a consul token and credentials inside URL-like strings, and keeps unset secrets unset', () => {
    const config: ServiceCallerConfig = {
      serviceCaller: {
        lbType: 'random',
        connectionTimeout: 1,
        readTimeout: 1,
        timeout: 1,
        connectionPoolSize: 1,
        maxResponseSize: 1024,
      },
      appRegistry: {
        consul: {
          host: '127.0.0.1',
          port: 8500,
          secure: false,
          weight: 1,
          token: 'tok',
          meta: { url: 'https://u:p@x' },
        },
      },
    };
    const consul = redactConfig(config).appRegistry.consul;
    expect(consul?.token).toBe('***');
    expect(consul?.meta).toEqual({ url: 'https://***@x' });
    expect(redactConfig(parseConfig({}, { logger: quiet() })).appRegistry).toEqual({});
  });

  it('hides session, cookie and signature values and a password written with a raw @ or /', () => {
    const config = parseConfig(
      {
        appRegistry: {
          static: {
            services: {
              a: [
                {
                  host: '127.0.0.1',
                  port: 1,
                  metadata: {
                    sessionId: 'sess-1',
                    cookie: 'ck-1',
                    signature: 'sg-1',
                    someKey: 'keep-me',
                    raw: 'http://u:p@ss-1@h/x and redis://:a/b-1@r',
                  },
                },
              ],
            },
          },
        },
      },
      { logger: quiet() },
    );
    const [instance] = redactConfig(config).appRegistry.static?.services.a ?? [];
    expect(instance?.metadata).toEqual({
      sessionId: '***',
      cookie: '***',
      signature: '***',
      someKey: 'keep-me',
      raw: 'http://***@h/x and redis://***@r',
    });
  });
});

describe('selectedRegistry', () => {
  const base = parseConfig({}, { logger: quiet() });

  it('selects nacos, consul, or else static', () => {
    const nacos = parseConfig({ appRegistry: { nacos: { serverAddr: 'h:1' } } }, { logger: quiet() });
    expect(selectedRegistry(nacos)).toBe('nacos');
    expect(selectedRegistry(parseConfig({ appRegistry: { consul: {} } }, { logger: quiet() }))).toBe(
      'consul',
    );
    expect(selectedRegistry(base)).toBe('static');
    expect(selectedRegistry(parseConfig({ appRegistry: { static: {} } }, { logger: quiet() }))).toBe(
      'static',
    );
  });

  it('refuses a hand-built config with both nacos and consul', async () => {
    const both = {
      ...base,
      appRegistry: {
        nacos: parseConfig({ appRegistry: { nacos: { serverAddr: 'h:1' } } }, { logger: quiet() }).appRegistry
          .nacos!,
        consul: parseConfig({ appRegistry: { consul: {} } }, { logger: quiet() }).appRegistry.consul!,
      },
    };
    await expectConfigError(() => selectedRegistry(both), {
      file: '<config object>',
      keyPath: 'appRegistry',
      expected: 'at most one of nacos, consul and static',
      found: 'nacos and consul',
    });
  });
});
