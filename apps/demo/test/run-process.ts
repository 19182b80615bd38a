import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The repository root, where `pnpm demo` and `pnpm example` are defined. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** How a finished process ended. */
export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A started process: its output so far, and a promise of its end. */
export interface RunningProcess {
  readonly pid: number | undefined;
  readonly ended: Promise<ProcessResult>;
  /** Output so far. */
  stdout(): string;
  /** Resolves once stdout contains `text`; rejects when the process ends first or after `timeoutMs`. */
  waitForOutput(text: string, timeoutMs: number): Promise<void>;
  kill(signal: NodeJS.Signals): void;
}

/**
 * Starts `command args` in `cwd`. The process is killed when it outlives `timeoutMs`, so a hung
 * demo fails the test instead of hanging it.
 */
export function startProcess(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): RunningProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const watchers = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const watcher of watchers) watcher();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  const ended = new Promise<ProcessResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(killer);
      for (const watcher of watchers) watcher();
      resolve({ code, signal, stdout, stderr });
    });
  });
  let exited = false;
  void ended.then(
    () => {
      exited = true;
    },
    () => {
      exited = true;
    },
  );

  return {
    pid: child.pid,
    ended,
    stdout: () => stdout,
    kill: (signal) => child.kill(signal),
    waitForOutput(text, timeoutMs) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          watchers.delete(check);
          reject(
            new Error(
              `no "${text}" in the output within ${timeoutMs} ms; output so far:\n${stdout}${stderr}`,
            ),
          );
        }, timeoutMs);
        const check = (): void => {
          if (stdout.includes(text)) {
            clearTimeout(timer);
            watchers.delete(check);
            resolve();
          } else if (exited) {
            clearTimeout(timer);
            watchers.delete(check);
            reject(new Error(`the process ended without printing "${text}":\n${stdout}${stderr}`));
          }
        };
        watchers.add(check);
        check();
      });
    },
  };
}

/** Runs a command to its end. */
export function runProcess(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<ProcessResult> {
  return startProcess(command, args, options).ended;
}

/** `count` distinct ports that were free a moment ago: all are held at once, then released. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  return ports;
}

/** Whether something listens on 127.0.0.1:`port`: a free port can be bound again. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The environment of a child: ours, with `APP_PROFILE` removed and `overrides` applied. */
export function childEnv(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...overrides };
  delete env.APP_PROFILE;
  // Vitest's own variables would make a nested vitest or tsx behave differently.
  delete env.VITEST;
  delete env.VITEST_MODE;
  delete env.VITEST_POOL_ID;
  delete env.VITEST_WORKER_ID;
  delete env.NODE_OPTIONS;
  return env;
}
