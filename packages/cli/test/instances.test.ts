import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstancesJson } from '../src/index.js';
import {
  type EchoServer,
  requireBuiltCli,
  runCli,
  startEchoServer,
  type TempProject,
  tempProject,
} from './support.js';

describe('service-caller instances', () => {
  const servers: EchoServer[] = [];
  let project: TempProject;

  beforeAll(async () => {
    requireBuiltCli();
    for (const name of ['a', 'b']) servers.push(await startEchoServer(name));
    project = await tempProject({
      'application.yaml': `
app-registry:
  static:
    services:
      users:
        - { host: 127.0.0.1, port: ${servers[0]!.port}, weight: 3, metadata: { zone: east, version: "2" } }
        - { host: 127.0.0.1, port: ${servers[1]!.port} }
`,
    });
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await project?.remove();
  });

  it('--json prints every instance with host, port, weight, health and metadata', async () => {
    const result = await runCli(['instances', 'users', '--config', project.configDir, '--json'], {
      cwd: project.root,
    });
    expect(result.code, result.stderr).toBe(0);
    const parsed = JSON.parse(result.stdout) as InstancesJson;
    expect(parsed.service).toBe('users');
    expect(parsed.registry).toBe('static');
    expect(parsed.instances).toEqual([
      {
        id: `127.0.0.1:${servers[0]!.port}`,
        host: '127.0.0.1',
        port: servers[0]!.port,
        weight: 3,
        healthy: true,
        secure: false,
        metadata: { zone: 'east', version: '2' },
      },
      {
        id: `127.0.0.1:${servers[1]!.port}`,
        host: '127.0.0.1',
        port: servers[1]!.port,
        weight: 1,
        healthy: true,
        secure: false,
        metadata: {},
      },
    ]);
  });

  it('prints a table by default, reading ./config when --config is not given', async () => {
    const result = await runCli(['instances', 'users'], { cwd: project.root });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]!.split(/\s+/)).toEqual(['host', 'port', 'weight', 'healthy', 'metadata']);
    expect(lines.slice(1).map((line) => line.split(/\s{2,}/))).toEqual([
      ['127.0.0.1', String(servers[0]!.port), '3', 'yes', 'zone=east, version=2'],
      ['127.0.0.1', String(servers[1]!.port), '1', 'yes'],
    ]);
  });

  it('exits 1 with one line on stderr for a service discovery does not know', async () => {
    const result = await runCli(['instances', 'orders', '--config', project.configDir], {
      cwd: project.root,
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe("service-caller: no instances of 'orders' in the static registry\n");
  });

  it('still prints the (empty) JSON for a missing service, and exits 1', async () => {
    const result = await runCli(['instances', 'orders', '--config', project.configDir, '--json'], {
      cwd: project.root,
    });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({ service: 'orders', registry: 'static', instances: [] });
  });
});
