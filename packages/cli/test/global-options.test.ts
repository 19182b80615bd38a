import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigJson } from '../src/index.js';
import {
  type EchoServer,
  requireBuiltCli,
  runCli,
  startEchoServer,
  type TempProject,
  tempProject,
} from './support.js';

// `--config` and `--profile` are taken by every command, so they are accepted before the command
// too (`service-caller --config ./config call ...`, as the README of issue #18 tried), and the
// top-level help lists them.
describe('service-caller --config / --profile before the command', () => {
  let project: TempProject;
  let other: TempProject;
  let elsewhere: string;
  let upstream: EchoServer;

  beforeAll(async () => {
    requireBuiltCli();
    upstream = await startEchoServer('a');
    const services = (name: string) =>
      `app-registry:\n  static:\n    services:\n      ${name}:\n        - { host: 127.0.0.1, port: ${upstream.port} }\n`;
    project = await tempProject({
      'application.yaml': services('users'),
      'application-prod.yaml': 'service-caller:\n  read-timeout: 9\n',
    });
    other = await tempProject({ 'application.yaml': services('orders') });
    // A working directory with no config of its own: only the flag can find the files.
    elsewhere = await mkdtemp(join(tmpdir(), 'service-caller-cli-cwd-'));
  });
  afterAll(async () => {
    await project?.remove();
    await other?.remove();
    if (elsewhere !== undefined) await rm(elsewhere, { recursive: true, force: true });
    await upstream?.close();
  });

  it('config: --config and --profile before the command are used', async () => {
    const result = await runCli(['--config', project.configDir, '--profile', 'prod', 'config', '--json'], {
      cwd: elsewhere,
    });
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as ConfigJson;
    expect(out.files).toEqual([
      join(project.configDir, 'application.yaml'),
      join(project.configDir, 'application-prod.yaml'),
    ]);
    expect(out.profile).toBe('prod');
  });

  it('call: --config before the command reaches the service the config names', async () => {
    const result = await runCli(['--config', project.configDir, 'call', 'users', '/hello'], {
      cwd: elsewhere,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ name: 'a', method: 'GET', url: '/hello' });
  });

  it('instances: --config=<dir> before the command works too', async () => {
    const result = await runCli([`--config=${project.configDir}`, 'instances', 'users', '--json'], {
      cwd: elsewhere,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`"port": ${upstream.port}`);
  });

  it('the same value before and after the command is accepted', async () => {
    const result = await runCli(
      ['--config', project.configDir, 'config', '--json', '--config', project.configDir],
      {
        cwd: elsewhere,
      },
    );
    expect(result.code, result.stderr).toBe(0);
  });

  it('two different values, before and after the command, exit 2 naming both', async () => {
    const result = await runCli(['--config', project.configDir, 'config', '--config', other.configDir], {
      cwd: elsewhere,
    });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^service-caller: --config /);
    expect(lines[0]).toContain(project.configDir);
    expect(lines[0]).toContain(other.configDir);
  });

  it('--profile twice with different values exits 2', async () => {
    const result = await runCli(
      ['--profile', 'prod', 'config', '--config', project.configDir, '--profile', 'dev'],
      {
        cwd: elsewhere,
      },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^service-caller: --profile .*'prod'.*'dev'/);
  });

  it('the top-level --help lists --config and --profile', async () => {
    const result = await runCli(['--help'], { cwd: elsewhere });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\s+--config <dir>\s+folder with application\.yaml/m);
    expect(result.stdout).toMatch(/^\s+--profile <name>\s+merge application-<profile>\.yaml/m);
  });
});
