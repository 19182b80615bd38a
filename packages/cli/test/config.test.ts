import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { ConfigJson } from '../src/index.js';
import { requireBuiltCli, runCli, type TempProject, tempProject } from './support.js';

const PASSWORD = 'pa55-not-for-your-eyes';

describe('service-caller config', () => {
  let project: TempProject;

  beforeAll(async () => {
    requireBuiltCli();
    project = await tempProject({
      'application.yaml': `
service-caller:
  lb-type: random
  read-timeout: 4
app-registry:
  static:
    services:
      users:
        - { host: 127.0.0.1, port: 8081, weight: 2, metadata: { someKey: keep-me } }
`,
      'application-prod.yaml': `
service-caller:
  read-timeout: 9
app-registry:
  static: ~
  nacos:
    server-addr: "\${NACOS_ADDR:127.0.0.1:8848}"
    username: nacos
    password: "\${NACOS_PASSWORD}"
    app-name: users
    port: 9000
`,
    });
  });
  afterAll(async () => {
    await project?.remove();
  });

  it('--json prints the effective config with defaults filled in and YAML key names', async () => {
    const result = await runCli(['config', '--config', project.configDir, '--json'], { cwd: project.root });
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as ConfigJson;
    expect(out.files).toEqual([`${project.configDir}/application.yaml`]);
    expect(out.profile).toBeNull();
    expect(out.registry).toBe('static');
    expect(out.config).toEqual({
      'service-caller': {
        'lb-type': 'random',
        'connection-timeout': 6,
        'read-timeout': 4,
        timeout: 30,
        'connection-pool-size': 100,
        'max-response-size': 64 * 1024 * 1024,
      },
      'app-registry': {
        static: {
          services: {
            users: [{ host: '127.0.0.1', port: 8081, weight: 2, metadata: { someKey: 'keep-me' } }],
          },
        },
      },
    });
  });

  it('merges the profile (from --profile or APP_PROFILE), expands environment variables and shows secrets as ***', async () => {
    for (const [args, env] of [
      [['--profile', 'prod'], {}],
      [[], { APP_PROFILE: 'prod' }],
    ] as const) {
      const result = await runCli(['config', '--config', project.configDir, '--json', ...args], {
        cwd: project.root,
        env: { ...env, NACOS_PASSWORD: PASSWORD, NACOS_ADDR: '127.0.0.1:18848' },
      });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).not.toContain(PASSWORD);
      const out = JSON.parse(result.stdout) as ConfigJson;
      expect(out.profile).toBe('prod');
      expect(out.files).toEqual([
        `${project.configDir}/application.yaml`,
        `${project.configDir}/application-prod.yaml`,
      ]);
      expect(out.registry).toBe('nacos');
      const config = out.config as Record<string, Record<string, Record<string, unknown>>>;
      expect(config['service-caller']!['read-timeout']).toBe(9);
      expect(config['app-registry']!.nacos).toMatchObject({
        'server-addr': '127.0.0.1:18848',
        username: 'nacos',
        password: '***',
        'app-name': 'users',
        port: 9000,
      });
      expect(config['app-registry']!.static).toBeUndefined();
    }
  });

  it('prints YAML by default: the same config, with a comment naming the files', async () => {
    const env = { NACOS_PASSWORD: PASSWORD };
    const yamlResult = await runCli(['config', '--profile', 'prod'], { cwd: project.root, env });
    const jsonResult = await runCli(['config', '--profile', 'prod', '--json'], { cwd: project.root, env });
    expect(yamlResult.code, yamlResult.stderr).toBe(0);
    expect(yamlResult.stdout).not.toContain(PASSWORD);
    expect(yamlResult.stdout.split('\n')[0]).toBe(
      `# ${project.configDir}/application.yaml + ${project.configDir}/application-prod.yaml (profile prod); registry: nacos; secrets shown as ***`,
    );
    expect(parse(yamlResult.stdout)).toEqual((JSON.parse(jsonResult.stdout) as ConfigJson).config);
  });

  it('exits 2 with one line naming the file and the key for a bad value', async () => {
    const bad = await tempProject({ 'application.yaml': 'service-caller:\n  lb-type: fastest\n' });
    try {
      const result = await runCli(['config'], { cwd: bad.root });
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toBe(
        `service-caller: ConfigError: ${bad.configDir}/application.yaml: service-caller.lb-type: expected one of round_robin, random, weight_random, weight_round_robin, least_request, peak_ewma, consistent_hash, found 'fastest'`,
      );
      // The other commands load the config the same way.
      const call = await runCli(['call', 'users', '/x'], { cwd: bad.root });
      expect(call.code).toBe(2);
      expect(call.stderr).toContain('service-caller.lb-type');
    } finally {
      await bad.remove();
    }
  });

  it('exits 2 for a profile without a file and for a folder without application.yaml', async () => {
    const noProfile = await runCli(['config', '--profile', 'staging'], { cwd: project.root });
    expect(noProfile.code).toBe(2);
    expect(noProfile.stderr).toMatch(
      /^service-caller: ConfigError: .*application-staging\.yaml.*profiles in this folder: prod[^\n]*\n$/,
    );
    const empty = await runCli(['instances', 'users', '--config', project.root], { cwd: project.root });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/^service-caller: ConfigError: .*application\.yaml[^\n]*no such file\n$/);
  });
});
