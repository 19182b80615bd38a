// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these files hold ${VAR} references
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/index.js';
import { expectConfigError, recordingLogger, useConfigDirs } from './helpers.js';

const dirs = useConfigDirs();
const quiet = recordingLogger;

describe('profile selection, highest first', () => {
  const files = {
    'application.yaml': 'profile: ${FROM_KEY:key}\nmy-app:\n  from: base\n',
    'application-option.yaml': 'my-app:\n  from: option\n',
    'application-app.yaml': 'my-app:\n  from: APP_PROFILE\n',
    'application-spring.yaml': 'my-app:\n  from: SPRING_PROFILES_ACTIVE\n',
    'application-key.yaml': 'my-app:\n  from: profile key\n',
    'application-expanded.yaml': 'my-app:\n  from: expanded profile key\n',
  };
  const from = async (options: { profile?: string; env: Record<string, string> }) => {
    const dir = await dirs.make(files);
    const loaded = await loadConfig({ dir, logger: quiet(), ...options });
    return [loaded.profile, (loaded.merged['my-app'] as { from: string }).from];
  };

  it('the option, then APP_PROFILE, then SPRING_PROFILES_ACTIVE, then the profile key', async () => {
    const all = { APP_PROFILE: 'app', SPRING_PROFILES_ACTIVE: 'spring' };
    expect(await from({ profile: 'option', env: all })).toEqual(['option', 'option']);
    expect(await from({ env: all })).toEqual(['app', 'APP_PROFILE']);
    expect(await from({ env: { SPRING_PROFILES_ACTIVE: 'spring' } })).toEqual([
      'spring',
      'SPRING_PROFILES_ACTIVE',
    ]);
    expect(await from({ env: {} })).toEqual(['key', 'profile key']);
  });

  it('reads the profile key after ${} expansion; an empty variable counts as unset', async () => {
    expect(await from({ env: { FROM_KEY: 'expanded' } })).toEqual(['expanded', 'expanded profile key']);
    expect(await from({ env: { APP_PROFILE: '', SPRING_PROFILES_ACTIVE: 'spring' } })).toEqual([
      'spring',
      'SPRING_PROFILES_ACTIVE',
    ]);
  });

  it('an empty profile option means none, whatever else says', async () => {
    expect(await from({ profile: '', env: { APP_PROFILE: 'app' } })).toEqual([undefined, 'base']);
  });

  it('says which setting chose a profile whose file is missing', async () => {
    const dir = await dirs.make({ 'application.yaml': 'profile: prod\n', 'application-dev.yaml': '' });
    await expectConfigError(() => loadConfig({ dir, env: {}, logger: quiet() }), {
      file: join(dir, 'application-prod.yaml'),
      keyPath: '',
      expected: 'the file of profile "prod": application-prod.yaml or .yml',
      found: 'no such file',
      hint: 'the profile comes from the profile key; profiles in this folder: dev',
    });
    await expectConfigError(
      () => loadConfig({ dir, env: { SPRING_PROFILES_ACTIVE: 'qa' }, logger: quiet() }),
      {
        file: join(dir, 'application-qa.yaml'),
        keyPath: '',
        expected: 'the file of profile "qa": application-qa.yaml or .yml',
        found: 'no such file',
        hint: 'the profile comes from SPRING_PROFILES_ACTIVE',
      },
    );
  });

  it('refuses a profile name that could not be a file name, and a list of profiles', async () => {
    const dir = await dirs.make({ 'application.yaml': '' });
    await expectConfigError(
      () => loadConfig({ dir, env: { SPRING_PROFILES_ACTIVE: 'dev,local' }, logger: quiet() }),
      {
        file: '<environment>',
        keyPath: 'SPRING_PROFILES_ACTIVE',
        expected: 'a profile name of letters, digits, ".", "_" and "-" (it becomes part of a file name)',
        found: '"dev,local"',
        hint: 'one profile only; list further files in extend-profiles',
      },
    );
    const keyed = await dirs.make({ 'application.yaml': 'profile: ../etc\n' });
    await expectConfigError(() => loadConfig({ dir: keyed, env: {}, logger: quiet() }), {
      file: join(keyed, 'application.yaml'),
      keyPath: 'profile',
      expected: 'a profile name of letters, digits, ".", "_" and "-" (it becomes part of a file name)',
      found: '"../etc"',
    });
  });

  it('warns that a profile key outside application.yaml is not read', async () => {
    const dir = await dirs.make({ 'application.yaml': '', 'application-dev.yaml': 'profile: other\n' });
    const { warnings, profile } = await loadConfig({ dir, profile: 'dev', env: {}, logger: quiet() });
    expect(profile).toBe('dev');
    expect(warnings).toEqual([
      `${join(dir, 'application-dev.yaml')}: profile is not read here (only application.yaml's profile key selects a profile)`,
    ]);
  });
});

describe('extend-profiles', () => {
  const outside: string[] = [];
  afterEach(async () => {
    await Promise.all(outside.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  const elsewhere = async (name: string, text: string) => {
    const dir = await mkdtemp(join(tmpdir(), 'sc-extend-'));
    outside.push(dir);
    await writeFile(join(dir, name), text);
    return join(dir, name);
  };

  it("merges the YAML's items, then the option's, later over earlier, all over base and profile", async () => {
    const extra = await elsewhere('extra.yaml', 'order: { d: file, e: file }\n');
    const dir = await dirs.make({
      'application.yaml':
        'extend-profiles: a\norder: { base: base, a: base, b: base, c: base, d: base, e: base }\n',
      'application-dev.yaml': `extend-profiles: " a , b,, file:${extra} "\norder: { dev: dev, a: dev }\n`,
      'application-a.yaml': 'order: { a: a, b: a, c: a }\n',
      'application-b.yaml': 'order: { b: b, c: b }\n',
      'application-c.yaml': 'order: { c: c, e: c }\n',
    });
    const loaded = await loadConfig({ dir, profile: 'dev', extendProfiles: 'c', env: {}, logger: quiet() });
    // The profile file's extend-profiles replaced the base's (a plain value, merged like any other).
    expect(loaded.merged.order).toEqual({
      base: 'base',
      dev: 'dev',
      a: 'a',
      b: 'b',
      c: 'c',
      d: 'file',
      e: 'c',
    });
    expect(loaded.files).toEqual([
      join(dir, 'application.yaml'),
      join(dir, 'application-dev.yaml'),
      join(dir, 'application-a.yaml'),
      join(dir, 'application-b.yaml'),
      extra,
      join(dir, 'application-c.yaml'),
    ]);
  });

  it('takes a list, an option list, ${} in the value, and resolves relative file: items against cwd', async () => {
    const extra = await elsewhere('extra.yml', 'from: file\n');
    const dir = await dirs.make({
      'application.yaml': 'extend-profiles: [ "${EXT:a}" ]\nfrom: base\n',
      'application-a.yaml': 'from: a\n',
      'application-b.yaml': 'from: b\n',
    });
    const env = { EXT: 'b' };
    expect((await loadConfig({ dir, env, logger: quiet() })).merged.from).toBe('b');
    const relative = await loadConfig({
      dir,
      env,
      cwd: join(extra, '..'),
      extendProfiles: ['file:extra.yml'],
      logger: quiet(),
    });
    expect(relative.merged.from).toBe('file');
  });

  it('refuses a missing file, saying where the item was listed', async () => {
    const dir = await dirs.make({ 'application.yaml': 'extend-profiles: nope\n' });
    await expectConfigError(() => loadConfig({ dir, env: {}, logger: quiet() }), {
      file: join(dir, 'application-nope.yaml'),
      keyPath: '',
      expected: 'the file of extend-profiles item "nope": application-nope.yaml or .yml',
      found: 'no such file',
      hint: `listed in extend-profiles of ${join(dir, 'application.yaml')}`,
    });
    const base = await dirs.make({ 'application.yaml': '' });
    await expectConfigError(
      () => loadConfig({ dir: base, extendProfiles: 'file:/no/such/dir/x.yaml', env: {}, logger: quiet() }),
      {
        file: '/no/such/dir/x.yaml',
        keyPath: '',
        expected: 'a readable file',
        found: 'no such file',
        hint: 'listed as a file: item in extend-profiles of <loadConfig options>',
      },
    );
  });

  it('refuses items that are neither a profile name nor file:<path>', async () => {
    const dir = await dirs.make({
      'application.yaml': 'extend-profiles: "ok, ../up"\n',
      'application-ok.yaml': '',
    });
    await expectConfigError(() => loadConfig({ dir, env: {}, logger: quiet() }), {
      file: join(dir, 'application.yaml'),
      keyPath: 'extend-profiles',
      expected: 'profile names (letters, digits, ".", "_", "-") or file:<path> items, separated by commas',
      found: '"../up"',
    });
    await expectConfigError(() => loadConfig({ dir, extendProfiles: 'file:', env: {}, logger: quiet() }), {
      file: join(dir, 'application.yaml'),
      keyPath: 'extend-profiles',
      expected: 'profile names (letters, digits, ".", "_", "-") or file:<path> items, separated by commas',
      found: '"../up"',
    });
    const numeric = await dirs.make({ 'application.yaml': 'extend-profiles: { a: 1 }\n' });
    await expectConfigError(() => loadConfig({ dir: numeric, env: {}, logger: quiet() }), {
      file: join(numeric, 'application.yaml'),
      keyPath: 'extend-profiles',
      expected: 'a comma-separated string of profile names and file: paths, or a list of them',
      found: 'a map (a)',
    });
    const base = await dirs.make({ 'application.yaml': '' });
    await expectConfigError(
      () => loadConfig({ dir: base, extendProfiles: 'file:  ', env: {}, logger: quiet() }),
      {
        file: '<loadConfig options>',
        keyPath: 'extendProfiles',
        expected: 'a path after file:',
        found: '"file:"',
      },
    );
  });

  it('warns that extend-profiles inside an extend file is not followed', async () => {
    const dir = await dirs.make({
      'application.yaml': 'extend-profiles: a\n',
      'application-a.yaml': 'extend-profiles: b\nfrom: a\n',
      'application-b.yaml': 'from: b\n',
    });
    const { merged, warnings } = await loadConfig({ dir, env: {}, logger: quiet() });
    expect(merged.from).toBe('a');
    expect(warnings).toEqual([
      `${join(dir, 'application-a.yaml')}: extend-profiles in a file that extend-profiles named is not followed (list every file in application.yaml, the profile file or the option)`,
    ]);
  });
});

describe('mergeLists', () => {
  it('concatenates lists across files like config_merge_list, and replaces them by default', async () => {
    const dir = await dirs.make({
      'application.yaml': 'tags: [a, b]\nnested: { list: [1] }\nscalar: [x]\n',
      'application-dev.yaml': 'tags: [c]\nnested: { list: [2, 3] }\nscalar: y\n',
    });
    const merged = await loadConfig({ dir, profile: 'dev', mergeLists: true, env: {}, logger: quiet() });
    expect(merged.merged).toMatchObject({ tags: ['a', 'b', 'c'], nested: { list: [1, 2, 3] }, scalar: 'y' });
    const replaced = await loadConfig({ dir, profile: 'dev', env: {}, logger: quiet() });
    expect(replaced.merged).toMatchObject({ tags: ['c'], nested: { list: [2, 3] } });
  });

  it('names the right file for an item of a concatenated list', async () => {
    const dir = await dirs.make({
      'application.yaml': 'app-registry:\n  static:\n    services:\n      a: [{ host: h, port: 1 }]\n',
      'application-dev.yaml': 'app-registry:\n  static:\n    services:\n      a: [{ host: h, port: 0 }]\n',
    });
    await expectConfigError(
      () => loadConfig({ dir, profile: 'dev', mergeLists: true, env: {}, logger: quiet() }),
      {
        file: join(dir, 'application-dev.yaml'),
        keyPath: 'app-registry.static.services.a[1].port',
        expected: 'a whole port number from 1 to 65535',
        found: '0',
      },
    );
  });
});
