// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the files hold ${VAR} references
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/index.js';
import { recordingLogger, SECRET } from './helpers.js';
import { PYTHON_SETUP_TIMEOUT, type PythonCiphertexts, runPython } from './python-library.js';

/** What `effective_config.py` prints. */
interface PythonEffective {
  profile: string | null;
  config: Record<string, unknown>;
  service_caller: Record<string, unknown> | null;
  nacos: Record<string, unknown> | null;
}

/** Every leaf of a tree as `path -> value` (lists are leaves: both sides must hold the same list). */
function leaves(value: unknown, path = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value))
      leaves(child, path === '' ? key : `${path}.${key}`, out);
  } else {
    out.set(path, value);
  }
  return out;
}

describe('one config folder, loaded by yamlpyconfig and by config-yaml', () => {
  let folder: string;
  let env: Record<string, string>;
  let python: PythonEffective;
  let root: string;

  afterAll(() => rm(root, { recursive: true, force: true }));

  beforeAll(async () => {
    const { sm4_key, sm4_ecb } = await runPython<PythonCiphertexts>('encrypt.py', { plaintexts: [SECRET] });
    // <root>/config holds the folder; <root>/shared the file a `file:` item names, relative to it.
    root = await mkdtemp(join(tmpdir(), 'sc-differential-'));
    folder = join(root, 'config');
    const shared = join(root, 'shared');
    await mkdir(folder);
    await mkdir(shared);
    const files: Record<string, string> = {
      'application.yaml': [
        'profile: local # not used: SPRING_PROFILES_ACTIVE wins',
        'extend-profiles: "ext, file:../shared/extra.yaml"',
        'service-caller:',
        '  lb-type: weighted_round_robin',
        '  connection-timeout: 3',
        '  read-timeout: ${READ_TIMEOUT:7}',
        'app-registry:',
        '  nacos:',
        '    server-addr: ${NACOS_ADDR:127.0.0.1:8848}',
        '    namespace: dev',
        '    group: DEFAULT_GROUP',
        '    ip: 127.0.0.1',
        '    port: 9999',
        '    app-name: my-app',
        '    username: nacos',
        `    password: "{encrypted}${sm4_ecb[0]}"`,
        '    weight: 1.5',
        'my-app:',
        '  greeting: ${GREETING:hello}',
        '  farewell: ${FAREWELL:bye}',
        '  tags: [a, b]',
        '  nested: { x: 1, y: base, z: [1, 2] }',
        '',
      ].join('\n'),
      'application-local.yaml': 'my-app:\n  from-local: true\n',
      'application-dev.yaml': [
        'service-caller:',
        '  connection-pool-size: 50',
        'my-app:',
        '  nested: { y: dev }',
        '  tags: [c]',
        '  only-dev: 1',
        '',
      ].join('\n'),
      'application-ext.yaml': 'my-app:\n  nested: { x: 2 }\n  from-ext: "${GREETING:ext}"\n',
    };
    for (const [name, text] of Object.entries(files)) await writeFile(join(folder, name), text);
    await writeFile(join(shared, 'extra.yaml'), 'my-app:\n  nested: { y: extra }\n  from-file: yes-really\n');
    env = {
      SPRING_PROFILES_ACTIVE: 'dev',
      GREETING: 'hi',
      READ_TIMEOUT: '8',
      SERVICE_CALLER_CRYPTO_KEY: sm4_key,
    };
    // The Python library resolves `file:` items against its working directory: so do we (cwd).
    python = await runPython<PythonEffective>(
      'effective_config.py',
      { config_dir: folder, crypto_algorithm: 'sm4', key: sm4_key, cwd: folder },
      env,
    );
  }, PYTHON_SETUP_TIMEOUT);

  it('picks the same profile and gives every key the same value', async () => {
    const ours = await loadConfig({ dir: folder, env, cwd: folder, logger: recordingLogger() });
    expect(ours.profile).toBe('dev');
    expect(python.profile).toBe('dev');
    const theirs = leaves(python.config);
    const mine = leaves(ours.merged);
    // Both read every key, the application's own included: the same key set, value by value.
    expect([...mine.keys()].sort()).toEqual([...theirs.keys()].sort());
    for (const [path, value] of theirs) expect({ path, value: mine.get(path) }).toEqual({ path, value });
    // Spot checks that the folder exercised what it claims to.
    expect(theirs.get('app-registry.nacos.password')).toBe(SECRET);
    expect(theirs.get('my-app.nested.y')).toBe('extra');
    expect(theirs.get('my-app.greeting')).toBe('hi');
    expect(theirs.get('my-app.farewell')).toBe('bye');
  });

  it("reads this project's settings as aio-service-caller reads them", async () => {
    const { config } = await loadConfig({ dir: folder, env, cwd: folder, logger: recordingLogger() });
    const sc = python.service_caller!;
    expect(config.serviceCaller).toEqual({
      // The Python enum's spelling; here the same balancer under its README name.
      lbType: ({ weighted_round_robin: 'weight_round_robin' } as Record<string, string>)[
        sc['lb-type'] as string
      ],
      connectionTimeout: sc['connection-timeout'],
      readTimeout: sc['read-timeout'],
      connectionPoolSize: sc['connection-pool-size'],
      // Not a key of the Python library: our default.
      maxResponseSize: 64 * 1024 * 1024,
      timeout: 30,
    });
    const nacos = python.nacos!;
    const mine = config.appRegistry.nacos!;
    expect({
      'server-addr': mine.serverAddr,
      namespace: mine.namespace,
      group: mine.group,
      ip: mine.ip,
      port: mine.port,
      'app-name': mine.appName,
      username: mine.username,
      password: mine.password,
      weight: mine.weight,
    }).toEqual({
      'server-addr': nacos['server-addr'],
      namespace: nacos.namespace,
      group: nacos.group,
      ip: nacos.ip,
      port: nacos.port,
      'app-name': nacos['app-name'],
      username: nacos.username,
      password: nacos.password,
      weight: nacos.weight,
    });
  });
});
