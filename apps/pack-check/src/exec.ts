import { spawn } from 'node:child_process';

/** How a child process ended. */
export interface ExecResult {
  /** The exit code, or null when a signal ended it. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** It was killed because it ran past `timeoutMs`. */
  readonly timedOut: boolean;
  /** Wall time in milliseconds. */
  readonly ms: number;
}

/** Options of {@link exec}. */
export interface ExecOptions {
  readonly cwd: string;
  /** The whole environment of the child (nothing is inherited unless passed). */
  readonly env: NodeJS.ProcessEnv;
  /** Killed (SIGKILL, whole process group) past this, and reported as timed out. */
  readonly timeoutMs: number;
}

/**
 * Runs `command args` and collects its output. Never rejects for a failing command (the caller
 * reads `code`); rejects only when the command cannot be started at all. The child leads its own
 * process group, so a timeout also kills what it started (npm's, tsc's or a consumer's children).
 */
export function exec(command: string, args: readonly string[], options: ExecOptions): Promise<ExecResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const killer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(killer);
      reject(new Error(`cannot start ${command}: ${error.message}`));
    });
    child.once('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr, timedOut, ms: performance.now() - started });
    });
  });
}

/**
 * The non-empty lines of a command's output, for a failure's report: all of them when few, else
 * the first `head` (where the error says what it is) and the last `last` (where it ended).
 */
export function excerpt(text: string, head = 8, last = 8): string {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  if (lines.length <= head + last) return lines.join('\n');
  return [
    ...lines.slice(0, head),
    `... (${lines.length - head - last} more lines)`,
    ...lines.slice(-last),
  ].join('\n');
}
