import { mkdir, realpath, symlink } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { NodeName } from './consumers.js';
import { exec } from './exec.js';

/** A Node binary, and a folder holding only it as `node`, to put first on a child's PATH. */
export interface NodeRuntime {
  readonly name: NodeName;
  readonly binary: string;
  /** `v22.23.3`. */
  readonly version: string;
  readonly binDir: string;
}

/**
 * Makes `binary` the `node` of a folder of its own under `scratch`, and checks that it is the
 * major version `name` says. npm, tsc and the consumers all then run on that Node.
 */
export async function nodeRuntime(name: NodeName, binary: string, scratch: string): Promise<NodeRuntime> {
  const real = await realpath(binary).catch(() => {
    throw new Error(`${name}: ${binary} does not exist`);
  });
  const probe = await exec(real, ['--version'], { cwd: scratch, env: {}, timeoutMs: 30_000 });
  const version = probe.stdout.trim();
  if (probe.code !== 0 || !version.startsWith(`v${name.slice('node'.length)}.`)) {
    throw new Error(`${name}: ${binary} --version said '${version || probe.stderr.trim()}'`);
  }
  const binDir = join(scratch, `bin-${name}`);
  await mkdir(binDir, { recursive: true });
  await symlink(real, join(binDir, 'node'));
  return { name, binary: real, version, binDir };
}

/** A PATH with `first` folders ahead of the process's own. */
export function pathWith(...first: string[]): string {
  return [...first, process.env.PATH ?? ''].join(delimiter);
}

// Set by pnpm for the script that runs this harness (npm_config_*, npm_package_*, ...) or by the
// shell for the workspace: a user's fresh project has none of them.
const WORKSPACE_ONLY = /^(npm_|pnpm_|INIT_CWD$|NODE_OPTIONS$|NODE_PATH$|APP_PROFILE$|TURBO_)/i;

/**
 * The environment of a child that plays a user: this process's own (the user's proxy and CA
 * settings, e.g. NODE_EXTRA_CA_CERTS, apply to npm as they would for them) without what the
 * workspace's tools set, `node` first on PATH, and `extra` over it.
 */
export function userEnv(
  node: NodeRuntime,
  extra: NodeJS.ProcessEnv = {},
  pathFirst: string[] = [],
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!WORKSPACE_ONLY.test(key)) env[key] = value;
  return { ...env, PATH: pathWith(node.binDir, ...pathFirst), ...extra };
}
