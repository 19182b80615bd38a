import { type ChildConfig, CONFIG_ENV, parseChildOutput, type RunResult } from './child-protocol.js';
import { CLIENTS, type ClientId } from './clients/catalog.js';
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

/** Starts one client process for one run and returns what it measured, or why it failed. */
export async function runClientOnce(
  id: ClientId,
  config: ChildConfig,
  runtimes: { node: NodeCommand; python?: string | undefined },
): Promise<{ result: RunResult } | { error: string }> {
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
  const outcome = await runChild(command, args, {
    env: { ...process.env, [CONFIG_ENV]: JSON.stringify(config) },
    timeoutMs,
  });
  const parsed = parseChildOutput(outcome.stdout);
  if (parsed) return parsed;
  const why = outcome.timedOut
    ? `killed after ${Math.round(timeoutMs / 1000)} s`
    : `exited with ${outcome.signal ?? `code ${outcome.code}`} and no result`;
  const stderr = outcome.stderr.trim().split('\n').slice(-3).join(' | ');
  return { error: `${why}${stderr ? `; stderr: ${stderr}` : ''}` };
}
