import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { appDir, distDir } from './paths.js';
import { LINE_PREFIX } from './report.js';
import type { TestResult } from './runner.js';
import type { RuntimeSpec } from './runtimes.js';
import type { RuntimeRun } from './table.js';

/** The bound on one runtime's whole run, and on its exit once its last result is out. */
const RUN_BOUND_MS = 150_000;
const EXIT_BOUND_MS = 10_000;

/**
 * Runs one runtime to the end: its results, its own version line, and what went wrong outside
 * the tests (no summary, a non-zero exit, no exit of its own after the last result).
 */
export function runRuntime(runtime: RuntimeSpec, fixturesUrl: string): Promise<RuntimeRun> {
  const started = performance.now();
  const results: TestResult[] = [];
  const problems: string[] = [];
  let version = '';
  let summaryAt: number | undefined;
  const output: string[] = [];

  return new Promise((resolve) => {
    const finish = () => {
      const { id, label, loads } = runtime;
      resolve({ id, label, loads, version, results, problems, ms: performance.now() - started });
    };
    if (!existsSync(runtime.command)) {
      problems.push(`${runtime.command} not found: run scripts/runtimes.sh (it installs the runtimes)`);
      finish();
      return;
    }
    const child = spawn(runtime.command, runtime.args(join(distDir, runtime.entry), fixturesUrl), {
      cwd: appDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    const kill = (why: string) => {
      problems.push(why);
      child.kill('SIGKILL');
    };
    const runTimer = setTimeout(
      () => kill(`still running after ${RUN_BOUND_MS / 1000} s: stopped`),
      RUN_BOUND_MS,
    );
    let exitTimer: NodeJS.Timeout | undefined;
    let pending = '';
    const onLine = (line: string) => {
      const at = line.indexOf(LINE_PREFIX);
      if (at === -1) {
        output.push(line);
        return;
      }
      const message = JSON.parse(line.slice(at + LINE_PREFIX.length)) as
        | ({ type: 'result' } & TestResult)
        | { type: 'summary'; runtime: string };
      if (message.type === 'result') {
        const { type: _type, ...result } = message;
        results.push(result);
      } else {
        version = message.runtime;
        summaryAt = performance.now();
        // workerd's test command is a run to the end by design; the others must end by themselves.
        if (runtime.id !== 'workerd') {
          exitTimer = setTimeout(
            () =>
              kill(
                `did not exit by itself within ${EXIT_BOUND_MS / 1000} s of its last test (something kept running)`,
              ),
            EXIT_BOUND_MS,
          );
        }
      }
    };
    const onData = (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      let newline = pending.indexOf('\n');
      while (newline !== -1) {
        onLine(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (error) => problems.push(`could not start: ${error.message}`));
    child.on('close', (code, signal) => {
      clearTimeout(runTimer);
      clearTimeout(exitTimer);
      if (pending) onLine(pending);
      if (summaryAt === undefined) {
        problems.push(
          `ended without a summary (exit ${code ?? signal}); its last output:\n${output.slice(-15).join('\n')}`,
        );
      } else if (code !== 0 && !results.some((r) => r.state === 'fail') && signal !== 'SIGKILL') {
        problems.push(`exited with ${code ?? signal} although every test passed`);
      }
      finish();
    });
  });
}
