import { cp, mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ProjectSpec } from './consumers.js';
import { type ExecResult, exec } from './exec.js';
import { type NodeRuntime, userEnv } from './node-runtime.js';

/** The tools every project gets from the npm registry, at the workspace's own versions. */
export interface ToolVersions {
  /** The workspace's `typescript` (devDependencies of the root). */
  readonly typescript: string;
}

/** What `npm install` did in a project. */
export interface Installed {
  readonly dir: string;
  readonly result: ExecResult;
  /** npm's warning lines. */
  readonly warnings: string[];
  /** The warnings that fail the check: peer dependencies, engines. */
  readonly problems: string[];
}

// What a user would see as a broken install: a peer that does not resolve or conflicts, or a
// package (ours or a dependency) that says it does not run on this Node.
const FAILING_WARNING = /ERESOLVE|peer|EBADENGINE|engine/i;

/** The npm package names `spec.packages` selects from the tarballs (`name -> .tgz`). */
export function selectedTarballs(spec: ProjectSpec, tarballs: ReadonlyMap<string, string>): string[] {
  if (spec.packages === 'all') return [...tarballs.values()];
  return spec.packages.map((short) => {
    const name = short.startsWith('@') ? short : `@service-caller/${short}`;
    const tarball = tarballs.get(name);
    if (tarball === undefined) {
      throw new Error(
        `${spec.dir}/project.json: packages names '${short}', which is not a publishable package (${[...tarballs.keys()].join(', ')})`,
      );
    }
    return tarball;
  });
}

/**
 * A fresh project in `dir` (outside the workspace): the spec's files copied in, a package.json
 * of `"type": "module"`, and `npm install` of the selected tarballs, typescript and the spec's
 * dependencies, run by `node`'s npm as a user on that Node would.
 */
export async function installProject(
  spec: ProjectSpec,
  dir: string,
  node: NodeRuntime,
  tarballs: readonly string[],
  tools: ToolVersions,
): Promise<Installed> {
  await mkdir(dir, { recursive: true });
  await cp(spec.dir, dir, { recursive: true, filter: (source) => basename(source) !== 'project.json' });
  await writeFile(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: `pack-check-${spec.name}`, private: true, type: 'module' }, null, 2)}\n`,
  );
  const registry = Object.entries({ typescript: tools.typescript, ...spec.dependencies }).map(
    ([name, range]) => `${name}@${range}`,
  );
  const result = await exec(
    'npm',
    ['install', '--no-audit', '--no-fund', '--loglevel=warn', ...tarballs, ...registry],
    {
      cwd: dir,
      env: userEnv(node, { npm_config_update_notifier: 'false' }),
      timeoutMs: 300_000,
    },
  );
  const warnings = `${result.stdout}\n${result.stderr}`
    .split('\n')
    .filter((line) => /^npm warn/i.test(line))
    .map((line) => line.trim());
  return { dir, result, warnings, problems: warnings.filter((line) => FAILING_WARNING.test(line)) };
}
