import {
  type ChildConfig,
  CONFIG_ENV,
  parseChildOutput,
  RESULT_PREFIX,
  type RunResult,
} from './child-protocol.js';
import { CLIENTS, type ClientId } from './clients/catalog.js';
import { osCpuMicros } from './os-cpu.js';
import { runChild } from './processes.js';
import { SEED_DRIVER } from './python-seed.js';

/** How to start a Node process that runs our TypeScript sources (tsx loader, `source` condition). */
export interface NodeCommand {
  readonly command: string;
  readonly args: readonly string[];
}

/** The Node command children use: this Node, the tsx loader, and the workspace's `source` condition. */
export function nodeCommand(): NodeCommand {
  return {
    command: process.execPath,
    args: ['--conditions=source', '--import', import.meta.resolve('tsx')],
  };
}

/** What one run of a client measured, with the kernel's count of its process's CPU. */
export interface ClientRun extends RunResult {
  /**
   * The client process's CPU time by the kernel's count (/proc/<pid>/stat), read right after it
   * printed its result, while it idles; compare with `processCpuUs`. `undefined` without /proc.
   */
  readonly osCpuUs?: number | undefined;
}

/** Starts one client process for one run and returns what it measured, or why it failed. */
export async function runClientOnce(
  id: ClientId,
  config: ChildConfig,
  runtimes: { node: NodeCommand; python?: string | undefined },
): Promise<{ result: ClientRun } | { error: string }> {
  const info = CLIENTS[id];
  let command: string;
  let args: string[];
  if (info.runtime === 'python') {
    if (!runtimes.python) return { error: 'no Python for the seed' };
    command = runtimes.python;
    // -u: unbuffered, so the result line is out before the process ends.
    args = ['-u', SEED_DRIVER];
  } else {
    command = runtimes.node.command;
    args = [...runtimes.node.args, new URL('./client-process.ts', import.meta.url).pathname, id];
  }
  // Two phases, each bounded, plus start-up (tsx compiles on first load; Python imports pydantic).
  const timeoutMs = 2 * (config.timeLimitMs + 1000) + 60_000;
  let osCpuUs: number | undefined;
  let resultSeen = false;
  const outcome = await runChild(command, args, {
    env: { ...process.env, [CONFIG_ENV]: JSON.stringify(config) },
    timeoutMs,
    onStdout(stdout, child) {
      const at = stdout.indexOf(RESULT_PREFIX);
      // Act once the whole line is in.
      if (resultSeen || at < 0 || !stdout.includes('\n', at)) return;
      resultSeen = true;
      // The child idles now: what the kernel has counted is what it will have counted at exit.
      osCpuUs = osCpuMicros(child.pid);
      child.stdin?.end();
    },
  });
  const parsed = parseChildOutput(outcome.stdout);
  if (parsed && 'result' in parsed) return { result: { ...parsed.result, osCpuUs } };
  if (parsed) return parsed;
  const why = outcome.timedOut
    ? `killed after ${Math.round(timeoutMs / 1000)} s`
    : `exited with ${outcome.signal ?? `code ${outcome.code}`} and no result`;
  const stderr = outcome.stderr.trim().split('\n').slice(-3).join(' | ');
  return { error: `${why}${stderr ? `; stderr: ${stderr}` : ''}` };
}
