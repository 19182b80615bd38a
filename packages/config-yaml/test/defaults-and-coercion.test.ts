// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the fixtures are YAML using ${VAR} syntax
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../src/index.js';
import { recordingLogger, useConfigDirs } from './helpers.js';

const dirs = useConfigDirs();
const quiet = () => recordingLogger();

describe('defaults (equal to the seed)', () => {
  it('fills service-caller with round_robin, 6 s timeouts and a pool of 100', () => {
    expect(parseConfig({}, { logger: quiet() })).toEqual({
      serviceCaller: {
        lbType: 'round_robin',
        connectionTimeout: 6,
        readTimeout: 6,
        connectionPoolSize: 100,
        maxResponseSize: 64 * 1024 * 1024,
        timeout: 30,
      },
      appRegistry: {},
    });
  });

  it('fills the same defaults from an application.yaml without the section', async () => {
    const dir = await dirs.make({ 'application.yaml': 'my-app:\n  greeting: hello\n' });
    const { config, warnings } = await loadConfig({ dir, logger: quiet() });
    expect(config.serviceCaller).toEqual({
      lbType: 'round_robin',
      connectionTimeout: 6,
      readTimeout: 6,
      connectionPoolSize: 100,
      maxResponseSize: 64 * 1024 * 1024,
      timeout: 30,
    });
    expect(warnings).toEqual([]);
  });

  it('treats an empty file, or an empty service-caller section, as all defaults', async () => {
    const dir = await dirs.make({
      'application.yaml': '# only a comment\n',
      'application-x.yaml': 'service-caller:\n',
    });
    const { config } = await loadConfig({ dir, profile: 'x', logger: quiet() });
    expect(config.serviceCaller.readTimeout).toBe(6);
  });

  it.each([
    ['namespace', 'public'],
    ['cluster', undefined],
    ['group', 'DEFAULT_GROUP'],
    ['weight', 1],
    ['ephemeral', true],
    ['secure', false],
    ['heartbeatInterval', 5],
    ['apiVersion', 'auto'],
    ['registration', 'fail-fast'],
  ] as const)('fills nacos.%s with %s', (key, value) => {
    const config = parseConfig(
      { appRegistry: { nacos: { serverAddr: '127.0.0.1:8848' } } },
      { logger: quiet() },
    );
    expect(config.appRegistry.nacos?.[key]).toBe(value);
  });

  it('leaves the optional nacos keys unset', () => {
    const nacos = parseConfig(
      { appRegistry: { nacos: { serverAddr: '127.0.0.1:8848' } } },
      { logger: quiet() },
    ).appRegistry.nacos;
    for (const key of ['ip', 'port', 'appName', 'username', 'password', 'metadata'] as const) {
      expect(nacos?.[key]).toBeUndefined();
    }
  });

  it.each([
    ['host', '127.0.0.1'],
    ['port', 8500],
    ['secure', false],
    ['weight', 1],
  ] as const)('fills consul.%s with %s', (key, value) => {
    const config = parseConfig({ appRegistry: { consul: {} } }, { logger: quiet() });
    expect(config.appRegistry.consul?.[key]).toBe(value);
  });

  it('fills the consul check: ttl every 10 s, deregistered after 60 s; /health for http', () => {
    const ttl = parseConfig({ appRegistry: { consul: {} } }, { logger: quiet() });
    expect(ttl.appRegistry.consul?.check).toEqual({ type: 'ttl', interval: 10, deregisterCriticalAfter: 60 });
    const http = parseConfig({ appRegistry: { consul: { check: { type: 'http' } } } }, { logger: quiet() });
    expect(http.appRegistry.consul?.check).toEqual({
      type: 'http',
      interval: 10,
      path: '/health',
      deregisterCriticalAfter: 60,
    });
  });

  it('fills a static instance weight with 1 and an absent services map with {}', () => {
    const config = parseConfig(
      { appRegistry: { static: { services: { a: [{ host: 'h', port: 1 }] } } } },
      { logger: quiet() },
    );
    expect(config.appRegistry.static?.services.a).toEqual([{ host: 'h', port: 1, weight: 1 }]);
    expect(parseConfig({ appRegistry: { static: {} } }, { logger: quiet() }).appRegistry.static).toEqual({
      services: {},
    });
  });

  it('treats null and empty strings as "not set", so the default applies', async () => {
    const dir = await dirs.make({
      'application.yaml': 'service-caller:\n  read-timeout: ~\n  lb-type: ${LB:}\n  connection-timeout: ""\n',
    });
    const { config } = await loadConfig({ dir, env: {}, logger: quiet() });
    expect(config.serviceCaller).toEqual({
      lbType: 'round_robin',
      connectionTimeout: 6,
      readTimeout: 6,
      connectionPoolSize: 100,
      maxResponseSize: 64 * 1024 * 1024,
      timeout: 30,
    });
  });

  it('drops an empty app-name when nothing asks for registration', () => {
    const config = parseConfig(
      { appRegistry: { nacos: { serverAddr: '127.0.0.1:8848', appName: '' } } },
      { logger: quiet() },
    );
    expect(config.appRegistry.nacos).not.toHaveProperty('appName');
  });
});

describe('coercion of strings from environment variables', () => {
  it('turns numeric strings into numbers where the key is numeric', async () => {
    const dir = await dirs.make({
      'application.yaml': [
        'service-caller:',
        '  read-timeout: ${READ_TIMEOUT}',
        '  connection-timeout: "1.5"',
        '  connection-pool-size: ${POOL:250}',
        'app-registry:',
        '  nacos:',
        '    server-addr: 127.0.0.1:8848',
        '    app-name: my-app',
        '    port: ${PORT}',
        '    weight: "${WEIGHT}"',
        '    secure: ${NACOS_SECURE:false}',
        '    ephemeral: "TRUE"',
        '',
      ].join('\n'),
    });
    const env = { READ_TIMEOUT: ' 12 ', PORT: '9999', WEIGHT: '2.5' };
    const { config } = await loadConfig({ dir, env, logger: quiet() });
    expect(config.serviceCaller).toEqual({
      lbType: 'round_robin',
      readTimeout: 12,
      connectionTimeout: 1.5,
      connectionPoolSize: 250,
      maxResponseSize: 64 * 1024 * 1024,
      timeout: 30,
    });
    expect(config.appRegistry.nacos).toMatchObject({
      port: 9999,
      weight: 2.5,
      secure: false,
      ephemeral: true,
    });
  });

  it('keeps text keys as text even when they look numeric', () => {
    const config = parseConfig(
      { appRegistry: { nacos: { serverAddr: '127.0.0.1:8848', namespace: '0123', password: '000' } } },
      { logger: quiet() },
    );
    expect(config.appRegistry.nacos).toMatchObject({ namespace: '0123', password: '000' });
  });

  it.each([
    ['readTimeout', 'abc'],
    ['readTimeout', '  '],
    ['readTimeout', '12abc'],
    ['readTimeout', '0x10'],
    ['connectionPoolSize', '10.5'],
  ])('refuses %s = %j instead of guessing', (key, value) => {
    expect(() => parseConfig({ serviceCaller: { [key]: value } }, { logger: quiet() })).toThrow(
      /expected a (number of seconds|whole number)/,
    );
  });

  it('does not guess booleans from yes/no/1', () => {
    expect(() => parseConfig({ appRegistry: { consul: { secure: 'yes' } } }, { logger: quiet() })).toThrow(
      /appRegistry\.consul\.secure: expected true or false, found "yes"/,
    );
  });
});
