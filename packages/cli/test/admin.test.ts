import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLI,
  cliEnv,
  type EchoServer,
  requireBuiltCli,
  runCli,
  startEchoServer,
  type TempProject,
  tempProject,
} from './support.js';

/** The admin command as a real process: its URL once it printed it, and how it ended. */
interface RunningAdmin {
  readonly child: ChildProcess;
  readonly url: string;
  stderr(): string;
  /** Sends `signal` and resolves with the exit code (the process is SIGKILLed 60 s after its start at the latest). */
  stop(signal: NodeJS.Signals): Promise<number | null>;
}

const SECRET = 'md-token-not-for-pages-1234';

async function startAdmin(args: readonly string[], cwd: string): Promise<RunningAdmin> {
  const child = spawn(process.execPath, [CLI, 'admin', ...args], {
    cwd,
    env: cliEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  child.once('close', () => clearTimeout(killer));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const found = /service-caller admin: (http:\/\/\S+) \(Ctrl-C to stop\)\n/.exec(stdout);
      if (found) resolve(found[1]!);
    });
    child.once('close', (code) =>
      reject(new Error(`admin exited (${code}) before printing its URL: ${stderr}`)),
    );
  });
  return {
    child,
    url,
    stderr: () => stderr,
    async stop(signal) {
      const closed = once(child, 'close');
      child.kill(signal);
      const [code] = (await closed) as [number | null];
      return code;
    },
  };
}

describe('service-caller admin', () => {
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
        - { host: 127.0.0.1, port: ${servers[0]!.port}, weight: 3, metadata: { zone: east, api-token: ${SECRET} } }
        - { host: 127.0.0.1, port: ${servers[1]!.port} }
      orders:
        - { host: 127.0.0.1, port: ${servers[1]!.port} }
`,
    });
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await project?.remove();
  });

  it("serves the static registry's services on 127.0.0.1 and stops on SIGTERM with exit 0", async () => {
    const admin = await startAdmin(['--config', project.configDir, '--port', '0'], project.root);
    try {
      expect(admin.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await fetch(admin.url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>service-caller (static) admin</title>');
      const text = await (await fetch(`${admin.url}services`)).text();
      expect(text).not.toContain(SECRET);
      const view = JSON.parse(text) as {
        services: {
          name: string;
          called: boolean;
          instances: { port: number; weight: number; metadata: object }[];
        }[];
      };
      expect(view.services.map((s) => [s.name, s.called, s.instances.length])).toEqual([
        ['orders', false, 1],
        ['users', false, 2],
      ]);
      expect(view.services[1]!.instances[0]).toMatchObject({
        port: servers[0]!.port,
        weight: 3,
        metadata: { zone: 'east', 'api-token': '***' },
      });
      const config = (await (await fetch(`${admin.url}config`)).json()) as {
        registry: string;
        files: string[];
      };
      expect(config.registry).toBe('static');
      expect(config.files).toEqual([`${project.configDir}/application.yaml`]);
      expect(JSON.stringify(config)).not.toContain(SECRET);
    } finally {
      expect(await admin.stop('SIGTERM')).toBe(0);
    }
    expect(admin.stderr()).toBe('');
  });

  it('shows only the services named, and stops on SIGINT with exit 0', async () => {
    const admin = await startAdmin(
      ['users', '--config', project.configDir, '--port', '0', '--refresh', '2'],
      project.root,
    );
    try {
      const view = (await (await fetch(`${admin.url}services`)).json()) as { services: { name: string }[] };
      expect(view.services.map((s) => s.name)).toEqual(['users']);
      expect(await (await fetch(admin.url)).text()).toContain('"refreshSeconds":2');
    } finally {
      expect(await admin.stop('SIGINT')).toBe(0);
    }
  });

  it('refuses a non-loopback --host without --allow-remote, and a taken port, in one line', async () => {
    const remote = await runCli(['admin', '--config', project.configDir, '--host', '0.0.0.0'], {
      cwd: project.root,
    });
    expect(remote.code).toBe(2);
    expect(remote.stderr).toBe(
      'service-caller: ConfigError: <startAdminServer options>: host: expected a loopback address (127.0.0.1, ::1, localhost), or allowRemote: true, found "0.0.0.0"\n',
    );
    const taken = await runCli(['admin', '--config', project.configDir, '--port', String(servers[0]!.port)], {
      cwd: project.root,
    });
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain(`cannot listen on 127.0.0.1:${servers[0]!.port}: EADDRINUSE`);
    const bad = await runCli(['admin', '--port', 'x'], { cwd: project.root });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--port/);
  });
});
