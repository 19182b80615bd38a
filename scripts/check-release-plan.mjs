#!/usr/bin/env node
// Checks the pending changesets against the rule of CONTRIBUTING.md "Versions and ranges": while
// a package is 0.x a minor is breaking, so a release that takes a package out of the range its
// workspace dependents accept (`workspace:^0.1.0` = <0.2.0) must bump each of those dependents
// by a minor too (a major once they are 1.x). Changesets cannot know that a dependent's change is
// breaking (it bumps such a dependent by a patch), so the changeset has to say so, and this
// check names what is missing.
//
// Written by hand, with no dependency: it reads only what this repository writes itself (the
// changeset frontmatter `"@scope/name": minor` and `workspace:` ranges), and lint runs it on a
// fresh clone before anything but the workspace is installed.
//
// Usage: node scripts/check-release-plan.mjs [repo root]   (exit 1 with a list when it fails)

import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

const BUMPS = ['none', 'patch', 'minor', 'major'];
const RANGE_KINDS = ['dependencies', 'peerDependencies', 'optionalDependencies'];

/** `1.2.3` as numbers; throws for anything else (our packages have plain versions). */
function parseVersion(text, where) {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(text ?? '');
  if (!match) throw new Error(`${where}: expected a version like 0.1.0, found ${JSON.stringify(text)}`);
  return match.slice(1).map(Number);
}

function bumped([major, minor, patch], type) {
  if (type === 'major') return [major + 1, 0, 0];
  if (type === 'minor') return [major, minor + 1, 0];
  if (type === 'patch') return [major, minor, patch + 1];
  return [major, minor, patch];
}

/** Whether `version` is inside the caret range `^base` (npm's rules, 0.x included). */
function insideCaret(version, base) {
  const [vMajor, vMinor, vPatch] = version;
  const [bMajor, bMinor, bPatch] = base;
  const atLeast =
    vMajor !== bMajor ? vMajor > bMajor : vMinor !== bMinor ? vMinor > bMinor : vPatch >= bPatch;
  if (!atLeast) return false;
  if (bMajor > 0) return vMajor === bMajor;
  if (bMinor > 0) return vMajor === 0 && vMinor === bMinor;
  return vMajor === 0 && vMinor === 0 && vPatch === bPatch;
}

/** The least bump a dependent at `version` needs when it has to take a breaking release. */
function breakingBumpFor(version) {
  return version[0] === 0 ? 'minor' : 'major';
}

/** The workspace's packages, from the `dir/*` patterns of pnpm-workspace.yaml. */
export async function workspacePackages(root) {
  const text = await readFile(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const patterns = [...text.matchAll(/^\s*-\s*['"]?([^'"\s#]+)['"]?\s*$/gm)].map((m) => m[1]);
  const packages = new Map();
  for (const pattern of patterns) {
    if (!pattern.endsWith('/*') || pattern.slice(0, -2).includes('*')) {
      throw new Error(
        `pnpm-workspace.yaml: only 'folder/*' patterns are understood here, found '${pattern}'`,
      );
    }
    const folder = join(root, pattern.slice(0, -2));
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const file = join(folder, entry.name, 'package.json');
      let manifest;
      try {
        manifest = JSON.parse(await readFile(file, 'utf8'));
      } catch (error) {
        if (error.code === 'ENOENT') continue;
        throw new Error(`${file}: ${error.message}`);
      }
      packages.set(manifest.name, { file, manifest });
    }
  }
  return packages;
}

/** `{ name -> bump }` over every pending changeset, the largest bump of each package. */
async function plannedBumps(root, packages) {
  const folder = join(root, '.changeset');
  const plan = new Map();
  for (const name of (await readdir(folder)).sort()) {
    if (!name.endsWith('.md') || name === 'README.md') continue;
    const text = await readFile(join(folder, name), 'utf8');
    const front = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text);
    if (!front) throw new Error(`.changeset/${name}: no frontmatter (---, "package": bump lines, ---)`);
    for (const line of front[1].split(/\r?\n/)) {
      if (line.trim() === '') continue;
      const entry = /^\s*(['"]?)(@?[^'":\s]+)\1\s*:\s*(patch|minor|major|none)\s*$/.exec(line);
      if (!entry)
        throw new Error(`.changeset/${name}: cannot read the frontmatter line ${JSON.stringify(line)}`);
      const [, , pkg, type] = entry;
      if (!packages.has(pkg))
        throw new Error(`.changeset/${name}: '${pkg}' is not a package of this workspace`);
      const sources = plan.get(pkg)?.sources ?? [];
      const current = plan.get(pkg)?.type ?? 'none';
      plan.set(pkg, {
        type: BUMPS.indexOf(type) > BUMPS.indexOf(current) ? type : current,
        sources: [...sources, name],
      });
    }
  }
  return plan;
}

/** The caret base of a `workspace:` range on `target`, or undefined for ranges this check leaves alone. */
function caretBase(range, target, where) {
  if (!range.startsWith('workspace:')) return undefined;
  const spec = range.slice('workspace:'.length);
  if (spec === '^' || spec === '*') return parseVersion(target.manifest.version, target.file);
  if (spec.startsWith('^')) return parseVersion(spec.slice(1), where);
  throw new Error(
    `${where}: use workspace:^<version> (e.g. workspace:^0.1.0) for a package of this workspace, found '${range}'`,
  );
}

/**
 * The problems with the pending changesets, one sentence each; empty when they follow the rule.
 * @param {string} root the repository root
 */
export async function checkReleasePlan(root) {
  const packages = await workspacePackages(root);
  const plan = await plannedBumps(root, packages);
  const ignored = new Set(
    JSON.parse(await readFile(join(root, '.changeset', 'config.json'), 'utf8')).ignore ?? [],
  );
  const problems = [];
  for (const [name, release] of plan) {
    if (release.type === 'none') continue;
    const target = packages.get(name);
    const next = bumped(parseVersion(target.manifest.version, target.file), release.type);
    for (const [dependentName, dependent] of packages) {
      if (dependent.manifest.private || ignored.has(dependentName)) continue;
      for (const kind of RANGE_KINDS) {
        const range = dependent.manifest[kind]?.[name];
        if (range === undefined) continue;
        const base = caretBase(range, target, `${dependent.file}: ${kind}.${name}`);
        if (base === undefined || insideCaret(next, base)) continue;
        const needed = breakingBumpFor(parseVersion(dependent.manifest.version, dependent.file));
        const planned = plan.get(dependentName)?.type ?? 'none';
        if (BUMPS.indexOf(planned) < BUMPS.indexOf(needed)) {
          problems.push(
            `${name} goes to ${next.join('.')} (${release.sources.join(', ')}), outside ${dependentName}'s ${kind} range ${range}: ` +
              `${dependentName} needs a ${needed} changeset too (planned: ${planned})`,
          );
        }
      }
    }
  }
  return problems;
}

if (import.meta.main) {
  const root = resolve(process.argv[2] ?? '.');
  try {
    const problems = await checkReleasePlan(root);
    if (problems.length > 0) {
      console.error(`check-release-plan: ${problems.length} problem(s):\n- ${problems.join('\n- ')}`);
      process.exit(1);
    }
    console.log('check-release-plan: every dependent taken out of its range is bumped enough');
  } catch (error) {
    console.error(`check-release-plan: ${error.message}`);
    process.exit(1);
  }
}
