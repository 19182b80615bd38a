// node --test scripts/package-manifests.test.mjs
// The publishing fields check on small workspaces made in a temporary folder, and on this
// repository itself.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkPackageManifests, REPOSITORY, withoutSourceCondition } from './package-manifests.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const script = join(repo, 'scripts', 'package-manifests.mjs');
const made = [];
after(() => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))));

const EXPORTS = {
  '.': {
    source: './src/index.ts',
    import: { types: './dist/index.d.ts', default: './dist/index.js' },
    require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
  },
  './package.json': './package.json',
};
const PUBLISHED_EXPORTS = {
  '.': {
    import: { types: './dist/index.d.ts', default: './dist/index.js' },
    require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
  },
  './package.json': './package.json',
};

/** A workspace with a root LICENSE and `packages` (folder -> manifest; `license` -> a LICENSE text). */
async function workspace(packages) {
  const root = await mkdtemp(join(tmpdir(), 'service-caller-manifests-'));
  made.push(root);
  await writeFile(join(root, 'pnpm-workspace.yaml'), 'packages:\n  - packages/*\n');
  await writeFile(join(root, 'LICENSE'), 'MIT License\n\nthe text\n');
  for (const [folder, { licenseText, ...manifest }] of Object.entries(packages)) {
    const dir = join(root, 'packages', folder);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    if (licenseText !== undefined) await writeFile(join(dir, 'LICENSE'), licenseText);
  }
  return root;
}

/** The manifest of a package as it was before issue #18: `source` published, `src/` in files. */
function oldManifest(name) {
  return {
    name,
    version: '0.1.0',
    license: 'MIT',
    type: 'module',
    exports: EXPORTS,
    files: ['dist', 'src', '!src/**/*.test.ts'],
    publishConfig: { access: 'public' },
  };
}

describe('package-manifests', () => {
  it('withoutSourceCondition drops `source` at every depth and keeps the rest in order', () => {
    assert.deepEqual(withoutSourceCondition(EXPORTS), PUBLISHED_EXPORTS);
    assert.deepEqual(Object.keys(withoutSourceCondition(EXPORTS)['.']), ['import', 'require']);
    assert.deepEqual(withoutSourceCondition({ '.': { source: './src/a.ts', default: './dist/a.js' } }), {
      '.': { default: './dist/a.js' },
    });
  });

  it('names every field a package published the old way gets wrong, and the missing LICENSE', async () => {
    const root = await workspace({ core: oldManifest('@x/core') });
    const problems = await checkPackageManifests(root);
    const about = (field) => problems.filter((p) => p.startsWith(`packages/core/package.json: ${field} is`));
    for (const field of ['repository', 'homepage', 'bugs', 'files', 'publishConfig']) {
      assert.equal(about(field).length, 1, `${field} in ${problems.join('\n')}`);
    }
    assert.match(about('files')[0], /expected \["dist"\]/);
    assert.match(about('publishConfig')[0], /"exports":\{"\.":\{"import"/);
    assert.ok(problems.includes('packages/core/LICENSE: missing'), problems.join('\n'));
    assert.equal(problems.length, 6, problems.join('\n'));
  });

  it('--write fixes the fields and copies the LICENSE, keeping the other fields in place', async () => {
    const root = await workspace({ core: oldManifest('@x/core') });
    assert.deepEqual(await checkPackageManifests(root, { write: true }), []);
    assert.deepEqual(await checkPackageManifests(root), []);
    const manifest = JSON.parse(await readFile(join(root, 'packages/core/package.json'), 'utf8'));
    assert.deepEqual(Object.keys(manifest), [
      'name',
      'version',
      'license',
      'repository',
      'homepage',
      'bugs',
      'type',
      'exports',
      'files',
      'publishConfig',
    ]);
    assert.deepEqual(manifest.exports, EXPORTS, 'the workspace keeps its source condition');
    assert.deepEqual(manifest.publishConfig, { access: 'public', exports: PUBLISHED_EXPORTS });
    assert.deepEqual(manifest.repository, {
      type: 'git',
      url: `git+${REPOSITORY}.git`,
      directory: 'packages/core',
    });
    assert.equal(manifest.homepage, `${REPOSITORY}/tree/main/packages/core#readme`);
    assert.equal(
      await readFile(join(root, 'packages/core/LICENSE'), 'utf8'),
      await readFile(join(root, 'LICENSE'), 'utf8'),
    );
  });

  it('sees a publishConfig.exports that drifted from exports (a subpath added to one only)', async () => {
    const root = await workspace({ core: oldManifest('@x/core') });
    await checkPackageManifests(root, { write: true });
    const file = join(root, 'packages/core/package.json');
    const manifest = JSON.parse(await readFile(file, 'utf8'));
    manifest.exports['./node'] = { source: './src/node.ts', default: './dist/node.js' };
    await writeFile(file, JSON.stringify(manifest));
    const problems = await checkPackageManifests(root);
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(
      problems[0],
      /^packages\/core\/package\.json: publishConfig is .*"\.\/node":\{"default":"\.\/dist\/node\.js"\}/,
    );
  });

  it('names a LICENSE that differs, a license other than MIT and entry points into src/', async () => {
    const root = await workspace({ core: { ...oldManifest('@x/core'), licenseText: 'ISC\n' } });
    await checkPackageManifests(root, { write: true });
    const file = join(root, 'packages/core/package.json');
    const manifest = JSON.parse(await readFile(file, 'utf8'));
    await writeFile(
      file,
      JSON.stringify({ ...manifest, license: 'ISC', main: './src/index.ts', bin: { x: 'src/cli.ts' } }),
    );
    await writeFile(join(root, 'packages/core/LICENSE'), 'ISC\n');
    const problems = await checkPackageManifests(root);
    assert.deepEqual(problems, [
      'packages/core/package.json: license is "ISC", expected "MIT" (the root LICENSE)',
      'packages/core/package.json: main points into src/ (./src/index.ts); published entry points are in dist/',
      'packages/core/package.json: bin.x points into src/ (src/cli.ts); published entry points are in dist/',
      'packages/core/LICENSE: differs from the root LICENSE',
    ]);
  });

  it('leaves private packages alone', async () => {
    const root = await workspace({ demo: { ...oldManifest('@x/demo'), private: true } });
    assert.deepEqual(await checkPackageManifests(root), []);
  });

  it('this repository passes (the CLI exits 0)', () => {
    const result = spawnSync(process.execPath, [script, repo], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^package-manifests: every publishable package/);
  });

  it('the CLI exits 1 with the list when a package is wrong', async () => {
    const root = await workspace({ core: oldManifest('@x/core') });
    const result = spawnSync(process.execPath, [script, root], { encoding: 'utf8' });
    assert.equal(result.status, 1);
    assert.match(
      result.stderr,
      /^package-manifests: 6 problem\(s\) \(node scripts\/package-manifests\.mjs --write fixes/,
    );
  });
});
