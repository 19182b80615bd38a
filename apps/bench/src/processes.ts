import { type ChildProcess, spawn } from 'node:child_process';

/** Every child the harness started and has not yet seen exit. */
const live = new Set<ChildProcess>();
let hooksInstalled = false;

/**
 * Kills every live child (SIGKILL: they hold no state worth saving). Safe to call from an
 * `exit` handler, where only synchronous work runs.
 */
export function killAllChildren(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  live.clear();
}

/**
 * Makes sure no child outlives the harness: on normal exit, on Ctrl-C / SIGTERM, and on an
 * uncaught error. Children also watch their stdin and exit when the harness dies without a chance
 * to run these hooks (SIGKILL).
 */
export function installChildCleanup(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAllChildren);
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    process.on(signal, () => {
      process.stderr.write(`\n[bench] ${signal}: stopping child processes\n`);
      killAllChildren();
      process.exit(code);
    });
  }
}

/** How a child ended. */
export interface ChildOutcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Whether the harness killed it for running past `timeoutMs`. */
  readonly timedOut: boolean;
}

/** Starts a tracked child with piped stdio; its stdin stays open as the lifeline until it exits. */
export function spawnTracked(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): ChildProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  // A child that exits before reading stdin makes writes to it fail; nothing is written anyway.
  child.stdin?.on('error', () => {});
  return child;
}

/**
 * Runs a child to its end, collecting its output, and kills it if it runs past `timeoutMs`.
 * `onStderr` sees stderr as it arrives (progress of long installs).
 */
export function runChild(
  command: string,
  args: readonly string[],
  options: {
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    timeoutMs: number;
    onStderr?: (chunk: string) => void;
    /** Sees stdout as it grows (the whole of it so far), with the child: a result line to act on. */
    onStdout?: (stdout: string, child: ChildProcess) => void;
  },
): Promise<ChildOutcome> {
  return new Promise((resolve) => {
    const child = spawnTracked(command, args, options);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout = (stdout + chunk).slice(-1_000_000);
      options.onStdout?.(stdout, child);
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      // Keep the tail only: a chatty child must not grow the harness without bound.
      stderr = (stderr + chunk).slice(-20_000);
      options.onStderr?.(chunk);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, stdout, stderr: `${stderr}${error.message}`, timedOut });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}
