import { readdirSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { entryPoints, type PackedManifest, sourceConditions } from './entry-points.js';
import { exec } from './exec.js';
import { fileGraph } from './unused-files.js';

/** One package as `pnpm pack` made it. */
export interface PackedPackage {
  readonly name: string;
  readonly version: string;
  /** Its folder in the workspace, relative to the root (`packages/core`). */
  readonly folder: string;
  /** The `.tgz`. */
  readonly tarball: string;
  /** The packed package.json. */
  readonly manifest: PackedManifest;
  /** Every file in the tarball, relative to its root (`dist/index.js`), sorted. */
  readonly files: readonly string[];
  /** A file's text. */
  readonly read: (path: string) => string;
}

const RANGE_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies'] as const;

function listFiles(dir: string, root = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(path, root) : [relative(root, path).split(sep).join('/')];
  });
}

/** Unpacks `tarball` into `into` (its files land in `into/package/`) and reads it. */
export async function readTarball(
  tarball: string,
  into: string,
  pkg: { name: string; version: string; folder: string },
): Promise<PackedPackage> {
  await mkdir(into, { recursive: true });
  const untar = await exec('tar', ['-xzf', tarball, '-C', into], {
    cwd: into,
    env: { PATH: process.env.PATH },
    timeoutMs: 60_000,
  });
  if (untar.code !== 0) throw new Error(`tar -xzf ${tarball} failed: ${untar.stderr.trim()}`);
  const root = join(into, 'package');
  const read = (path: string) => readFileSync(join(root, path), 'utf8');
  return {
    ...pkg,
    tarball,
    manifest: JSON.parse(read('package.json')) as PackedManifest,
    files: listFiles(root).sort(),
    read,
  };
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/**
 * What is wrong with a packed package, as a user installing it would meet it (issue #18): the
 * workspace's `source` condition or `src/` published, no LICENSE or repository fields, a
 * `workspace:` range left unreplaced, an entry point missing, files nothing loads (the CLI's
 * unused CommonJS build was one), imports of files the tarball lacks. Empty when all is well.
 */
export function checkTarball(pkg: PackedPackage): string[] {
  const { manifest, files } = pkg;
  const problems: string[] = [];
  const has = new Set(files);
  for (const condition of sourceConditions(manifest.exports)) {
    problems.push(
      `${condition} is published: the workspace's source condition must not be (publishConfig.exports)`,
    );
  }
  const sources = files.filter((file) => file.startsWith('src/'));
  if (sources.length > 0)
    problems.push(`ships src/ (${sources.length} files, e.g. ${sources[0]}): files must be ["dist"]`);
  if (!has.has('LICENSE')) problems.push('has no LICENSE file');
  if (typeof manifest.license !== 'string') problems.push('has no license field');
  if (!has.has('README.md')) problems.push('has no README.md');
  const repository = manifest.repository;
  if (typeof field(repository, 'url') !== 'string') problems.push('has no repository.url');
  if (field(repository, 'directory') !== pkg.folder) {
    problems.push(
      `repository.directory is ${JSON.stringify(field(repository, 'directory'))}, expected "${pkg.folder}"`,
    );
  }
  if (typeof manifest.homepage !== 'string') problems.push('has no homepage');
  if (typeof field(manifest.bugs, 'url') !== 'string') problems.push('has no bugs.url');
  for (const kind of RANGE_FIELDS) {
    for (const [name, range] of Object.entries(
      (manifest[kind] as Record<string, string> | undefined) ?? {},
    )) {
      if (range.startsWith('workspace:')) problems.push(`${kind}.${name} is still "${range}"`);
    }
  }
  const entries = entryPoints(manifest);
  for (const entry of entries) {
    if (!has.has(entry.path))
      problems.push(`${entry.field} names ${entry.path}, which the tarball does not have`);
  }
  const graph = fileGraph(entries, files, pkg.read);
  for (const link of graph.unresolved) problems.push(`${link}: not in the tarball`);
  if (graph.unused.length > 0) {
    problems.push(`ships ${graph.unused.length} file(s) no entry point loads: ${graph.unused.join(', ')}`);
  }
  return problems;
}
