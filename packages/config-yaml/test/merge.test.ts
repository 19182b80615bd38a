import { join } from 'node:path';
import { ConfigError } from '@service-caller/core';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/index.js';
import { mergeDocuments, originOf } from '../src/merge.js';
import { recordingLogger, useConfigDirs } from './helpers.js';

const dirs = useConfigDirs();

describe('profiles and merge order', () => {
  const base = [
    'service-caller:',
    '  lb-type: random',
    '  read-timeout: 3',
    'app-registry:',
    '  static:',
    '    services:',
    '      a:',
    '        - { host: 10.0.0.1, port: 1 }',
    '        - { host: 10.0.0.2, port: 2 }',
    '      b:',
    '        - { host: 10.0.0.3, port: 3 }',
    '',
  ].join('\n');
  const dev = [
    'service-caller:',
    '  read-timeout: 9',
    'app-registry:',
    '  static:',
    '    services:',
    '      a:',
    '        - { host: 10.9.9.9, port: 9 }',
    '',
  ].join('\n');

  it('merges the profile file over application.yaml: maps deep, lists replaced', async () => {
    const dir = await dirs.make({ 'application.yaml': base, 'application-dev.yaml': dev });
    const loaded = await loadConfig({ dir, profile: 'dev', logger: recordingLogger() });
    expect(loaded.profile).toBe('dev');
    expect(loaded.files).toEqual([join(dir, 'application.yaml'), join(dir, 'application-dev.yaml')]);
    // From the base, untouched by the profile.
    expect(loaded.config.serviceCaller.lbType).toBe('random');
    // Overridden by the profile.
    expect(loaded.config.serviceCaller.readTimeout).toBe(9);
    // A list is replaced whole, not merged item by item.
    expect(loaded.config.appRegistry.static?.services.a).toEqual([{ host: '10.9.9.9', port: 9, weight: 1 }]);
    // A sibling key of a merged map survives.
    expect(loaded.config.appRegistry.static?.services.b).toEqual([{ host: '10.0.0.3', port: 3, weight: 1 }]);
  });

  it('takes the profile from APP_PROFILE when the option is absent, and the option first', async () => {
    const dir = await dirs.make({
      'application.yaml': base,
      'application-dev.yaml': dev,
      'application-prod.yml': 'service-caller:\n  read-timeout: 30\n',
    });
    const fromEnv = await loadConfig({ dir, env: { APP_PROFILE: 'prod' }, logger: recordingLogger() });
    expect(fromEnv.profile).toBe('prod');
    expect(fromEnv.files.at(-1)).toBe(join(dir, 'application-prod.yml'));
    expect(fromEnv.config.serviceCaller.readTimeout).toBe(30);
    const fromOption = await loadConfig({
      dir,
      profile: 'dev',
      env: { APP_PROFILE: 'prod' },
      logger: recordingLogger(),
    });
    expect(fromOption.config.serviceCaller.readTimeout).toBe(9);
  });

  it('uses no profile when neither the option nor APP_PROFILE names one, or when it is empty', async () => {
    const dir = await dirs.make({ 'application.yml': base, 'application-dev.yaml': dev });
    const none = await loadConfig({ dir, env: {}, logger: recordingLogger() });
    expect(none.profile).toBeUndefined();
    expect(none.files).toEqual([join(dir, 'application.yml')]);
    expect(none.config.serviceCaller.readTimeout).toBe(3);
    const empty = await loadConfig({
      dir,
      profile: '',
      env: { APP_PROFILE: 'dev' },
      logger: recordingLogger(),
    });
    expect(empty.profile).toBeUndefined();
  });

  it('lets a profile remove a section with null', async () => {
    const dir = await dirs.make({
      'application.yaml': 'app-registry:\n  nacos:\n    server-addr: 127.0.0.1:8848\n',
      'application-local.yaml': 'app-registry:\n  nacos: ~\n',
    });
    const logger = recordingLogger();
    const { config, warnings } = await loadConfig({ dir, profile: 'local', logger });
    expect(config.appRegistry.nacos).toBeUndefined();
    expect(warnings).toEqual([
      `${join(dir, 'application-local.yaml')}: app-registry.nacos is empty (null), so it is ignored; write \`nacos: {}\` to use it with its defaults`,
    ]);
  });

  it('supports YAML anchors and merge keys inside a file', async () => {
    const dir = await dirs.make({
      'application.yaml': [
        'instance: &instance { host: 10.0.0.1, weight: 3 }',
        'app-registry:',
        '  static:',
        '    services:',
        '      a:',
        '        - { <<: *instance, port: 1 }',
        '        - { <<: *instance, port: 2, weight: 5 }',
        '',
      ].join('\n'),
    });
    const { config } = await loadConfig({ dir, logger: recordingLogger() });
    expect(config.appRegistry.static?.services.a).toEqual([
      { host: '10.0.0.1', port: 1, weight: 3 },
      { host: '10.0.0.1', port: 2, weight: 5 },
    ]);
  });

  it('names the file each bad value came from', async () => {
    const dir = await dirs.make({
      'application.yaml': 'service-caller:\n  read-timeout: -1\n',
      'application-dev.yaml': 'service-caller:\n  lb-type: random\n',
    });
    const error = await loadConfig({ dir, profile: 'dev', logger: recordingLogger() }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).file).toBe(join(dir, 'application.yaml'));
    expect((error as ConfigError).keyPath).toBe('service-caller.read-timeout');
  });
});

describe('mergeDocuments', () => {
  it('records the file of every key, and the last file for a merged map', () => {
    const tree = mergeDocuments([
      { file: 'base', data: { s: { a: 1, b: [1, 2] } } },
      { file: 'dev', data: { s: { b: [3] } } },
    ]);
    expect(tree.root).toEqual({ s: { a: 1, b: [3] } });
    expect(originOf(tree, ['s', 'a'])).toBe('base');
    expect(originOf(tree, ['s', 'b', 0])).toBe('dev');
    expect(originOf(tree, ['s'])).toBe('dev');
    expect(originOf(tree, ['s', 'missing'])).toBe('dev');
    expect(originOf(tree, ['absent', 'x'])).toBe('base');
  });

  it('copies shared (aliased) objects, so merging into one use leaves the others alone', () => {
    const shared = { host: 'a', port: 1 };
    const tree = mergeDocuments([
      { file: 'base', data: { x: shared, y: shared } },
      { file: 'dev', data: { y: { port: 2 } } },
    ]);
    expect(tree.root).toEqual({ x: { host: 'a', port: 1 }, y: { host: 'a', port: 2 } });
    expect(shared).toEqual({ host: 'a', port: 1 });
  });

  it('keeps a __proto__ key as data, never as a prototype', () => {
    const data = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    const tree = mergeDocuments([{ file: 'base', data }]);
    expect(Object.getPrototypeOf(tree.root)).toBe(Object.prototype);
    expect(Object.keys(tree.root)).toEqual(['__proto__', 'a']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses more values than the budget once aliases are resolved', () => {
    const wide = Array.from({ length: 1000 }, (_, i) => i);
    const data = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, wide]));
    expect(() => mergeDocuments([{ file: 'big.yaml', data }])).toThrow(
      expect.objectContaining({
        file: 'big.yaml',
        expected: 'at most 100000 values once YAML aliases are resolved',
      }),
    );
  });
});
