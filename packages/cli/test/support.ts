import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built bin; the package's `test` script builds it before vitest starts. */
export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** Fails with advice when the binary has not been built. */
export function requireBuiltCli(): void {
  if (!existsSync(CLI)) {
    throw new Error(
      `${CLI} is missing: run \`pnpm --filter @service-caller/cli test\` (it builds first) or \`... build\``,
    );
  }
}

/** How the binary ended. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node dist/cli.js ...args` in `cwd`. `APP_PROFILE` is removed from the environment unless
 * `env` sets it. The process is killed after `timeoutMs`, so a hang fails the test.
 */
export function runCli(
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<CliResult> {
  const env = cliEnv(options.env);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The environment the binary runs in: this one without `APP_PROFILE` and `NODE_OPTIONS`, plus `extra`. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.APP_PROFILE;
  delete env.NODE_OPTIONS;
  return Object.assign(env, extra);
}

/** What the echo servers answer: who answered and what they received. */
export interface Echo {
  name: string;
  port: number;
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A local HTTP server for the tests. */
export interface EchoServer {
  readonly name: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Starts a `node:http` server on 127.0.0.1, port 0: `/fail` answers 500, `/text` plain text,
 * anything else a JSON {@link Echo} of the request.
 */
export async function startEchoServer(name: string): Promise<EchoServer> {
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const port = (server.address() as AddressInfo).port;
    if (req.url === '/fail') {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'broken on purpose', name }));
      return;
    }
    if (req.url === '/text') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`plain text from ${name}`);
      return;
    }
    const echo: Echo = {
      name,
      port,
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body,
    };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(echo));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    name,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A port nothing listens on: bound once, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A temporary folder holding `config/` with the given files; removed by `remove()`. */
export interface TempProject {
  /** The temporary folder (the parent of `config/`). */
  readonly root: string;
  /** `root/config`. */
  readonly configDir: string;
  remove(): Promise<void>;
}

/** Writes `files` (name -> YAML text) into `<tmp>/config/`. */
export async function tempProject(files: Record<string, string>): Promise<TempProject> {
  const root = await mkdtemp(join(tmpdir(), 'service-caller-cli-'));
  const configDir = join(root, 'config');
  await mkdir(configDir);
  for (const [name, text] of Object.entries(files)) await writeFile(join(configDir, name), text);
  return { root, configDir, remove: () => rm(root, { recursive: true, force: true }) };
}
