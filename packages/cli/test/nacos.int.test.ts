import { nacosRegistry } from '@service-caller/registry-nacos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstancesJson } from '../src/index.js';
import {
  type Echo,
  type EchoServer,
  requireBuiltCli,
  runCli,
  startEchoServer,
  type TempProject,
  tempProject,
} from './support.js';

// The Nacos `pnpm nacos:start` runs (CI's test:integration starts it), or the one NACOS_ADDR names.
const NACOS_ADDR = process.env.NACOS_ADDR ?? '127.0.0.1:8848';
const RUN = `${process.pid}-${Date.now()}`;
const SERVICE = `cli-it-${RUN}`;
const SELF = `cli-self-${RUN}`;

/** The ports Nacos lists for `service` (v1 Open API; auth is off on the test server). */
async function portsInNacos(service: string): Promise<number[]> {
  const url = `http://${NACOS_ADDR}/nacos/v1/ns/instance/list?serviceName=${service}&healthyOnly=false`;
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) return [];
  const body = (await res.json()) as { hosts?: Array<{ port: number }> };
  return (body.hosts ?? []).map((h) => h.port);
}

describe('service-caller against a real Nacos', () => {
  const registry = nacosRegistry({ serverAddr: NACOS_ADDR });
  let server: EchoServer;
  let project: TempProject;
  let projectWithSecret: TempProject;

  beforeAll(async () => {
    requireBuiltCli();
    server = await startEchoServer('nacos-echo');
    await registry.register({
      serviceName: SERVICE,
      host: '127.0.0.1',
      port: server.port,
      weight: 4,
      metadata: { zone: 'it' },
    });
    // The config names a service of its own, as a service's config does: the CLI must not register it.
    project = await tempProject({
      'application.yaml': `
app-registry:
  nacos:
    server-addr: "${NACOS_ADDR}"
    app-name: ${SELF}
    ip: 127.0.0.1
    port: 9
`,
    });
    // The same with credentials, for `config` (which logs in nowhere). The commands that talk to
    // Nacos use the project above: Nacos 2.5.1 refuses a wrong password even with auth
    // off (r-nacos lets it pass), and a refused login fails the command.
    projectWithSecret = await tempProject({
      'application.yaml': `
app-registry:
  nacos:
    server-addr: "${NACOS_ADDR}"
    username: nacos
    password: "\${NACOS_PASSWORD:not-shown}"
    app-name: ${SELF}
    ip: 127.0.0.1
    port: 9
`,
    });
  });
  afterAll(async () => {
    await registry.close();
    await server?.close();
    await project?.remove();
    await projectWithSecret?.remove();
  });

  it('instances --json shows what Nacos holds, and the CLI does not register itself', async () => {
    let parsed: InstancesJson | undefined;
    // Registration may take a moment to show in a listing.
    const deadline = performance.now() + 20_000;
    while (performance.now() < deadline) {
      const result = await runCli(['instances', SERVICE, '--json'], { cwd: project.root });
      expect([0, 1]).toContain(result.code);
      parsed = JSON.parse(result.stdout) as InstancesJson;
      if (parsed.instances.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(parsed?.registry).toBe('nacos');
    expect(parsed?.instances).toEqual([
      expect.objectContaining({
        host: '127.0.0.1',
        port: server.port,
        weight: 4,
        healthy: true,
        metadata: expect.objectContaining({ zone: 'it' }),
      }),
    ]);
    // Had the CLI registered itself from the config (app-name + port), it would see itself here:
    // registration happens in ServiceManager.create, before the lookup.
    const self = await runCli(['instances', SELF, '--json'], { cwd: project.root });
    expect(self.code).toBe(1);
    expect((JSON.parse(self.stdout) as InstancesJson).instances).toEqual([]);
    expect(await portsInNacos(SELF)).toEqual([]);
  });

  it('call reaches the instance Nacos lists', async () => {
    const result = await runCli(['call', SERVICE, '/who'], { cwd: project.root });
    expect(result.code, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as Echo).port).toBe(server.port);
    expect(result.stderr).toContain(`| 127.0.0.1:${server.port} |`);
  });

  it('config shows the nacos section with the password as ***', async () => {
    const result = await runCli(['config', '--json'], { cwd: projectWithSecret.root });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain('not-shown');
    expect(JSON.parse(result.stdout)).toMatchObject({
      registry: 'nacos',
      config: { 'app-registry': { nacos: { 'server-addr': NACOS_ADDR, password: '***', 'app-name': SELF } } },
    });
  });
});
