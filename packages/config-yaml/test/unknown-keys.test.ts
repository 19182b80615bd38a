import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../src/index.js';
import { nearest } from '../src/suggest.js';
import { recordingLogger, useConfigDirs } from './helpers.js';

const dirs = useConfigDirs();

describe('unknown keys in YAML', () => {
  it('warns with the key path and the nearest known key, through the logger and in warnings', async () => {
    const dir = await dirs.make({
      'application.yaml': [
        'service-caller:',
        '  read-timout: 5',
        '  lb_type: random',
        'app-registry:',
        '  nacos:',
        '    server-addr: 127.0.0.1:8848',
        '    namspace: dev',
        '    colour: blue',
        '',
      ].join('\n'),
    });
    const file = join(dir, 'application.yaml');
    const logger = recordingLogger();
    const { config, warnings } = await loadConfig({ dir, logger });
    expect(warnings).toEqual([
      `${file}: unknown key service-caller.read-timout is ignored (did you mean read-timeout?)`,
      `${file}: unknown key service-caller.lb_type is ignored (did you mean lb-type?)`,
      `${file}: unknown key app-registry.nacos.namspace is ignored (did you mean namespace?)`,
      `${file}: unknown key app-registry.nacos.colour is ignored`,
    ]);
    expect(logger.warnings.map((w) => w.message)).toEqual(warnings);
    expect(logger.warnings[0]?.fields).toEqual({
      file,
      keyPath: 'service-caller.read-timout',
      suggestion: 'read-timeout',
    });
    // Ignored means ignored: the defaults stand.
    expect(config.serviceCaller.readTimeout).toBe(6);
    expect(config.serviceCaller.lbType).toBe('round_robin');
    expect(config.appRegistry.nacos?.namespace).toBe('public');
  });

  it("ignores the application's own top-level keys, but not a misspelt section name", async () => {
    const dir = await dirs.make({
      'application.yaml': [
        'server:',
        '  port: 8080',
        'logging: debug',
        'servce-caller:',
        '  read-timeout: 2',
        '',
      ].join('\n'),
    });
    const { warnings } = await loadConfig({ dir, logger: recordingLogger() });
    expect(warnings).toEqual([
      `${join(dir, 'application.yaml')}: unknown key servce-caller is ignored (did you mean service-caller?)`,
    ]);
  });

  it('names the profile file for an unknown key that came from it', async () => {
    const dir = await dirs.make({
      'application.yaml': 'service-caller:\n  read-timeout: 2\n',
      'application-dev.yaml': 'service-caller:\n  readTimeout: 3\n',
    });
    const { warnings } = await loadConfig({ dir, profile: 'dev', logger: recordingLogger() });
    expect(warnings).toEqual([
      `${join(dir, 'application-dev.yaml')}: unknown key service-caller.readTimeout is ignored (did you mean read-timeout?)`,
    ]);
  });

  it('accepts any names where the user names things: services and metadata', async () => {
    const dir = await dirs.make({
      'application.yaml': [
        'app-registry:',
        '  static:',
        '    services:',
        '      read-timeout: [{ host: h, port: 1, metadata: { lb-type: x, anything: y } }]',
        '',
      ].join('\n'),
    });
    const { config, warnings } = await loadConfig({ dir, logger: recordingLogger() });
    expect(warnings).toEqual([]);
    expect(config.appRegistry.static?.services['read-timeout']?.[0]?.metadata).toEqual({
      'lb-type': 'x',
      anything: 'y',
    });
  });
});

describe('unknown keys in a config object', () => {
  it('warns in camelCase, also about kebab-case keys and unknown top-level keys', () => {
    const logger = recordingLogger();
    parseConfig(
      { serviceCaller: { readTimout: 5, 'lb-type': 'random' }, appRegistery: {} },
      { logger, source: 'my-config' },
    );
    expect(logger.warnings.map((w) => w.message)).toEqual([
      'my-config: unknown key serviceCaller.readTimout is ignored (did you mean readTimeout?)',
      'my-config: unknown key serviceCaller.lb-type is ignored (did you mean lbType?)',
      'my-config: unknown key appRegistery is ignored (did you mean appRegistry?)',
    ]);
  });
});

describe('nearest', () => {
  const keys = ['lb-type', 'connection-timeout', 'read-timeout', 'connection-pool-size'];

  it('matches the same word in another case style first', () => {
    expect(nearest('readTimeout', keys)).toBe('read-timeout');
    expect(nearest('CONNECTION_POOL_SIZE', keys)).toBe('connection-pool-size');
  });

  it('matches typos within a few edits, transpositions included', () => {
    expect(nearest('read-timout', keys)).toBe('read-timeout');
    expect(nearest('raed-timeout', keys)).toBe('read-timeout');
    expect(nearest('conection-timeout', keys)).toBe('connection-timeout');
    expect(nearest('round-robin', ['round_robin', 'random'])).toBe('round_robin');
    expect(nearest('weighted_random', ['round_robin', 'random', 'weight_random'])).toBe('weight_random');
  });

  it('suggests nothing for unrelated words', () => {
    expect(nearest('colour', keys)).toBeUndefined();
    expect(
      nearest('fastest', ['round_robin', 'random', 'weight_random', 'weight_round_robin']),
    ).toBeUndefined();
  });
});
