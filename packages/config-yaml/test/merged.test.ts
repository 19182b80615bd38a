// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these files hold ${VAR} references
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig, parseConfig } from '../src/index.js';
import { expectConfigError, recordingLogger, SECRET, useConfigDirs } from './helpers.js';

const dirs = useConfigDirs();
const quiet = recordingLogger;

describe('the whole merged config', () => {
  it("holds the application's own keys beside ours, as written, read-only", async () => {
    const dir = await dirs.make({
      'application.yaml':
        'service-caller:\n  read-timeout: 3\nmy-app:\n  db: { host: db1, port: 5432 }\n  names: [a]\n',
    });
    const { merged, config } = await loadConfig({ dir, env: {}, logger: quiet() });
    expect(merged).toEqual({
      'service-caller': { 'read-timeout': 3 },
      'my-app': { db: { host: 'db1', port: 5432 }, names: ['a'] },
    });
    expect(config.serviceCaller.readTimeout).toBe(3);
    expect(Object.isFrozen(merged)).toBe(true);
    expect(Object.isFrozen((merged['my-app'] as { db: object }).db)).toBe(true);
    expect(Object.isFrozen((merged['my-app'] as { names: object }).names)).toBe(true);
    expect(() => {
      (merged as Record<string, unknown>).extra = 1;
    }).toThrow(TypeError);
  });

  it("is the schema's output when a Standard Schema is given", async () => {
    const dir = await dirs.make({ 'application.yaml': 'my-app:\n  port: "8080"\n  name: shop\n' });
    const schema = z.object({ 'my-app': z.object({ port: z.coerce.number(), name: z.string() }) });
    const { merged } = await loadConfig({ dir, schema, env: {}, logger: quiet() });
    expect(merged).toEqual({ 'my-app': { port: 8080, name: 'shop' } });
    expect(Object.isFrozen(merged['my-app'])).toBe(true);
  });

  it("reports the schema's issues as ConfigErrors with the file, the key path and no secret", async () => {
    const dir = await dirs.make({
      'application.yaml': `my-app:\n  port: eighty\n  db-password: ${SECRET}\n`,
      'application-dev.yaml': 'my-app:\n  port: ${PORT:x}\n',
    });
    const schema = z.object({
      'my-app': z.object({
        port: z.number({ error: 'a port number' }),
        'db-password': z.number({ error: 'a number' }),
      }),
    });
    await expectConfigError(() => loadConfig({ dir, profile: 'dev', schema, env: {}, logger: quiet() }), {
      file: join(dir, 'application-dev.yaml'),
      keyPath: 'my-app.port',
      expected: 'a port number',
      found: '"x" (from "${PORT:x}")',
      hint: '1 more problem: my-app.db-password',
    });
    const secretOnly = z.object({ 'my-app': z.object({ 'db-password': z.number({ error: 'a number' }) }) });
    await expectConfigError(() => loadConfig({ dir, schema: secretOnly, env: {}, logger: quiet() }), {
      file: join(dir, 'application.yaml'),
      keyPath: 'my-app.db-password',
      expected: 'a number',
      found: '***',
    });
  });

  it('refuses a schema option that is not a Standard Schema, and non-boolean flags', async () => {
    const dir = await dirs.make({ 'application.yaml': '' });
    await expectConfigError(() => loadConfig({ dir, schema: { parse() {} } as never, logger: quiet() }), {
      file: '<loadConfig options>',
      keyPath: 'schema',
      expected: 'a Standard Schema (an object with ~standard.validate), e.g. a zod or valibot schema',
      found: 'a map (parse)',
    });
    await expectConfigError(() => loadConfig({ dir, mergeLists: 'yes' as never, logger: quiet() }), {
      file: '<loadConfig options>',
      keyPath: 'mergeLists',
      expected: 'true or false',
      found: '"yes"',
    });
  });
});

describe('strict mode', () => {
  it('turns an unknown key of ours into an error with the suggestion', async () => {
    const dir = await dirs.make({
      'application.yaml': 'service-caller:\n  read-timout: 5\nmy-app: { any: 1 }\n',
    });
    await expectConfigError(() => loadConfig({ dir, strict: true, env: {}, logger: quiet() }), {
      file: join(dir, 'application.yaml'),
      keyPath: 'service-caller.read-timout',
      expected: 'a known key (strict mode refuses unknown keys)',
      found: 'the unknown key "read-timout"',
      hint: 'did you mean read-timeout?',
    });
  });

  it("leaves the application's own top-level keys alone, but not a misspelt section", async () => {
    const ok = await dirs.make({ 'application.yaml': 'my-app: { any: 1 }\nlogging: debug\n' });
    await expect(loadConfig({ dir: ok, strict: true, env: {}, logger: quiet() })).resolves.toBeDefined();
    const bad = await dirs.make({ 'application.yaml': 'config-source:\n  nacos: {}\n' });
    await expectConfigError(() => loadConfig({ dir: bad, strict: true, env: {}, logger: quiet() }), {
      file: join(bad, 'application.yaml'),
      keyPath: 'config-source',
      expected: 'a known key (strict mode refuses unknown keys)',
      found: 'the unknown key "config-source"',
      hint: 'did you mean config-sources?',
    });
  });

  it('warns once per unknown key when not strict', async () => {
    const dir = await dirs.make({
      'application.yaml':
        'config-sources:\n  nacos:\n    server-addr: 127.0.0.1:8848\n    auto-refresh: false\n    improts: []\n',
    });
    const logger = quiet();
    const { warnings } = await loadConfig({ dir, env: {}, logger });
    expect(warnings).toEqual([
      `${join(dir, 'application.yaml')}: unknown key config-sources.nacos.improts is ignored (did you mean imports?)`,
    ]);
    expect(logger.warnings).toHaveLength(1);
  });
});

describe('keys that are known and refused', () => {
  const file = (dir: string) => join(dir, 'application.yaml');

  it('refuses access-key / secret-key for discovery and registration, never ignoring them', async () => {
    const dir = await dirs.make({
      'application.yaml':
        'app-registry:\n  nacos:\n    server-addr: 127.0.0.1:8848\n    access-key: ak\n    secret-key: sk-secret\n',
    });
    await expectConfigError(
      () => loadConfig({ dir, env: {}, logger: quiet() }),
      {
        file: file(dir),
        keyPath: 'app-registry.nacos.access-key',
        expected:
          'no access-key / secret-key under app-registry.nacos: signing naming requests (Alibaba Cloud MSE) is not implemented for discovery and registration; use username and password',
        found: '***',
      },
      ['sk-secret'],
    );
    expect(() =>
      parseConfig(
        { appRegistry: { nacos: { serverAddr: '127.0.0.1:8848', secretKey: 'x' } } },
        { logger: quiet() },
      ),
    ).toThrow(/appRegistry\.nacos\.secretKey: expected no access-key/);
  });

  it('refuses a config centre endpoint, a lone access key and a data id that is not YAML', async () => {
    const cases: [string, string, string][] = [
      [
        'endpoint: acm.example',
        'config-sources.nacos.endpoint',
        'no endpoint: an address server (ACM endpoint) is not supported; list the Nacos servers in server-addr',
      ],
      [
        'access-key: ak',
        'config-sources.nacos.secret-key',
        'access-key and secret-key together (requests are signed with the pair)',
      ],
      [
        'password: pw',
        'config-sources.nacos.username',
        'a user name to log in with, since a password is set',
      ],
      [
        'imports: [{ data-id: app.properties }]',
        'config-sources.nacos.imports[0].data-id',
        'a data id ending in .yaml or .yml (YAML data ids only)',
      ],
      [
        'imports: [{ group: G }]',
        'config-sources.nacos.imports[0].data-id',
        'a data id ending in .yaml or .yml',
      ],
    ];
    for (const [line, keyPath, expected] of cases) {
      const dir = await dirs.make({
        'application.yaml': `config-sources:\n  nacos:\n    server-addr: 127.0.0.1:8848\n    ${line}\n`,
      });
      await expectConfigError(() => loadConfig({ dir, env: {}, logger: quiet() }), {
        file: file(dir),
        keyPath,
        expected,
        found: /.*/,
      });
    }
  });

  it('refuses config-sources.nacos with imports when no Nacos config client is given', async () => {
    const dir = await dirs.make({
      'application.yaml':
        'config-sources:\n  nacos:\n    server-addr: 127.0.0.1:8848\n    imports:\n      - data-id: gateway.yaml\n',
    });
    await expectConfigError(() => loadConfig({ dir, env: {}, logger: quiet() }), {
      file: file(dir),
      keyPath: 'config-sources.nacos',
      expected:
        'a Nacos config client: the configSources.nacos option (nacosConfigSource of @service-caller/registry-nacos)',
      found: 'none given',
      hint: 'ServiceManager.create passes it when @service-caller/registry-nacos is installed',
    });
  });
});

describe('lb-type spellings', () => {
  it("accepts the Python library's weighted_* beside weight_*", async () => {
    for (const [written, meant] of [
      ['weighted_random', 'weight_random'],
      ['weighted_round_robin', 'weight_round_robin'],
      ['weight_random', 'weight_random'],
    ]) {
      const dir = await dirs.make({ 'application.yaml': `service-caller:\n  lb-type: ${written}\n` });
      expect((await loadConfig({ dir, env: {}, logger: quiet() })).config.serviceCaller.lbType).toBe(meant);
    }
    expect(parseConfig({ serviceCaller: { lbType: 'weighted_random' as never } }).serviceCaller.lbType).toBe(
      'weight_random',
    );
  });
});
