import { existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { type ExecOptions, excerpt, exec } from './exec.js';

/** A workspace package that is published (not `private`). */
export interface WorkspacePackage {
  readonly name: string;
  readonly version: string;
  /** Absolute. */
  readonly dir: string;
  /** Relative to the workspace root, `/`-separated (`packages/core`). */
  readonly folder: string;
}

/** The publishable packages, as pnpm itself lists the workspace (`pnpm ls -r --json`). */
export async function publishablePackages(
  root: string,
  env: ExecOptions['env'],
): Promise<WorkspacePackage[]> {
  const listed = await exec('pnpm', ['ls', '-r', '--depth', '-1', '--json'], {
    cwd: root,
    env,
    timeoutMs: 60_000,
  });
  if (listed.code !== 0) throw new Error(`pnpm ls -r failed:\n${excerpt(listed.stderr)}`);
  const all = JSON.parse(listed.stdout) as {
    name: string;
    version?: string;
    path: string;
    private?: boolean;
  }[];
  return all
    .filter((pkg) => pkg.private !== true && pkg.path !== root)
    .map((pkg) => ({
      name: pkg.name,
      version: pkg.version ?? '',
      dir: pkg.path,
      folder: relative(root, pkg.path).split(sep).join('/'),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Packages whose `dist/` is missing: packing them would publish nothing that runs. */
export function unbuilt(packages: readonly WorkspacePackage[]): WorkspacePackage[] {
  return packages.filter((pkg) => !existsSync(join(pkg.dir, 'dist')));
}

/**
 * `pnpm pack` in the package's folder, as `pnpm publish` packs it: `workspace:` ranges replaced,
 * `publishConfig` fields applied. Resolves with the tarball's path.
 */
export async function pack(
  pkg: WorkspacePackage,
  destination: string,
  env: ExecOptions['env'],
): Promise<string> {
  const packed = await exec('pnpm', ['pack', '--pack-destination', destination, '--json'], {
    cwd: pkg.dir,
    env,
    timeoutMs: 120_000,
  });
  if (packed.code !== 0)
    throw new Error(`pnpm pack of ${pkg.name} failed:\n${excerpt(packed.stderr || packed.stdout)}`);
  // pnpm runs the package's prepack/postpack scripts too; their output would precede the JSON.
  const json = packed.stdout.slice(packed.stdout.indexOf('{'));
  return (JSON.parse(json) as { filename: string }).filename;
}
