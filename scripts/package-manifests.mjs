#!/usr/bin/env node
// The publishing fields of every publishable package's package.json, as docs/releasing.md says
// they must be (and `--write` makes them):
//
// - `publishConfig.exports` is `exports` without the `source` condition. The workspace resolves
//   our packages to their TypeScript sources through `source` (tests need no build); what is
//   published must not, or a user whose tsconfig sets `customConditions: ["source"]` type-checks
//   our sources inside node_modules (issue #18). `pnpm pack` / `pnpm publish` replace `exports`
//   with `publishConfig.exports`; this check keeps the two from drifting apart.
// - `files` is `["dist"]`: the build, its `.d.ts` and its source maps (which carry the sources),
//   no second copy of `src/`. npm adds package.json, README and LICENSE by itself.
// - a `LICENSE` file beside it, the same text as the root's (npm takes LICENSE only from the
//   package's own folder).
// - `repository` (with the package's `directory`), `homepage` and `bugs`: the registry's page
//   links there, and resolves the README's relative links against `repository`. The URL is a
//   placeholder until the project has a public repository: REPOSITORY below, then `--write`.
//
// The packed tarballs themselves are checked by `scripts/pack-check.sh` (apps/pack-check).
//
// Usage: node scripts/package-manifests.mjs [--write] [repo root]   (exit 1 with a list when it fails)

import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { workspacePackages } from './check-release-plan.mjs';

/** The project's repository: a placeholder until there is a public one (docs/releasing.md). */
export const REPOSITORY = 'https://github.com/service-caller/service-caller';

/** `exports` with every `source` condition removed, at any depth. */
export function withoutSourceCondition(exports) {
  if (typeof exports !== 'object' || exports === null) return exports;
  if (Array.isArray(exports)) return exports.map(withoutSourceCondition);
  return Object.fromEntries(
    Object.entries(exports)
      .filter(([key]) => key !== 'source')
      .map(([key, value]) => [key, withoutSourceCondition(value)]),
  );
}

/** The fields `folder` (relative to the root, `/`-separated) must have, in the order written. */
function expectedFields(folder, manifest) {
  return {
    repository: { type: 'git', url: `git+${REPOSITORY}.git`, directory: folder },
    homepage: `${REPOSITORY}/tree/main/${folder}#readme`,
    bugs: { url: `${REPOSITORY}/issues` },
    files: ['dist'],
    publishConfig: { ...manifest.publishConfig, exports: withoutSourceCondition(manifest.exports) },
  };
}

/** `manifest` with `fields` set: existing keys keep their place, new ones follow `license`. */
function withFields(manifest, fields) {
  const out = {};
  for (const [key, value] of Object.entries(manifest)) {
    out[key] = key in fields ? fields[key] : value;
    if (key === 'license') {
      for (const [name, field] of Object.entries(fields)) if (!(name in manifest)) out[name] = field;
    }
  }
  for (const [name, field] of Object.entries(fields)) if (!(name in out)) out[name] = field;
  return out;
}

/** Entry points outside `exports` that must point at the build, not at `src/`. */
function sourceEntryPoints(manifest) {
  const bins =
    typeof manifest.bin === 'string'
      ? { bin: manifest.bin }
      : Object.fromEntries(Object.entries(manifest.bin ?? {}).map(([name, path]) => [`bin.${name}`, path]));
  const entries = { main: manifest.main, module: manifest.module, types: manifest.types, ...bins };
  return Object.entries(entries).filter(([, path]) => typeof path === 'string' && /^(\.\/)?src\//.test(path));
}

/**
 * The problems of every publishable (non-private) package under `root`; with `write`, fixes
 * what can be fixed first (the fields above and the LICENSE copy) and reports the rest.
 */
export async function checkPackageManifests(root, { write = false } = {}) {
  const license = await readFile(join(root, 'LICENSE'), 'utf8').catch((error) => {
    throw new Error(`${join(root, 'LICENSE')}: ${error.code === 'ENOENT' ? 'missing' : error.message}`);
  });
  const problems = [];
  for (const { file, manifest } of (await workspacePackages(root)).values()) {
    if (manifest.private === true) continue;
    const where = relative(root, file).split(sep).join('/');
    const folder = dirname(where);
    const licenseFile = join(dirname(file), 'LICENSE');
    const fields = expectedFields(folder, manifest);
    const wrong = Object.keys(fields).filter((key) => !isDeepStrictEqual(manifest[key], fields[key]));
    if (write && wrong.length > 0) {
      await writeFile(file, `${JSON.stringify(withFields(manifest, fields), null, 2)}\n`);
    } else {
      for (const key of wrong) {
        problems.push(
          `${where}: ${key} is ${JSON.stringify(manifest[key])}, expected ${JSON.stringify(fields[key])}`,
        );
      }
    }
    if (manifest.license !== 'MIT') {
      problems.push(
        `${where}: license is ${JSON.stringify(manifest.license)}, expected "MIT" (the root LICENSE)`,
      );
    }
    for (const [key, path] of sourceEntryPoints(manifest)) {
      problems.push(`${where}: ${key} points into src/ (${path}); published entry points are in dist/`);
    }
    const copy = await readFile(licenseFile, 'utf8').catch(() => undefined);
    if (copy !== license) {
      if (write) await copyFile(join(root, 'LICENSE'), licenseFile);
      else
        problems.push(
          `${folder}/LICENSE: ${copy === undefined ? 'missing' : 'differs from the root LICENSE'}`,
        );
    }
  }
  return problems;
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const write = args.includes('--write');
  const root = resolve(args.find((arg) => arg !== '--write') ?? '.');
  try {
    const problems = await checkPackageManifests(root, { write });
    if (problems.length > 0) {
      console.error(
        `package-manifests: ${problems.length} problem(s)${write ? '' : ' (node scripts/package-manifests.mjs --write fixes the fields and LICENSE copies)'}:\n- ${problems.join('\n- ')}`,
      );
      process.exit(1);
    }
    console.log(
      `package-manifests: every publishable package's publishing fields are as docs/releasing.md says${write ? ' (written)' : ''}`,
    );
  } catch (error) {
    console.error(`package-manifests: ${error.message}`);
    process.exit(1);
  }
}
