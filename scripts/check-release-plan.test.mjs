// node --test scripts/check-release-plan.test.mjs
// The release rule on small workspaces made in a temporary folder: the check, and what the
// workspace's own `changeset version` then writes.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { checkReleasePlan } from './check-release-plan.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const made = [];
after(() => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))));

/** A workspace with `packages` (name -> manifest fields) and `changesets` (file -> frontmatter lines). */
async function workspace(packages, changesets, config = {}) {
  const root = await mkdtemp(join(tmpdir(), 'service-caller-release-'));
  made.push(root);
  await writeFile(join(root, 'pnpm-workspace.yaml'), 'packages:\n  - packages/*\n');
  await writeFile(join(root, 'package.json'), JSON.stringify({ name: 'fixture', private: true }));
  await mkdir(join(root, '.changeset'));
  await writeFile(
    join(root, '.changeset', 'config.json'),
    JSON.stringify({
      changelog: false,
      commit: false,
      access: 'public',
      baseBranch: 'main',
      updateInternalDependencies: 'patch',
      ignore: [],
      ___experimentalUnsafeOptions_WILL_CHANGE_IN_PATCH: { onlyUpdatePeerDependentsWhenOutOfRange: true },
      ...config,
    }),
  );
  for (const [name, fields] of Object.entries(packages)) {
    const dir = join(root, 'packages', name.split('/').pop());
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'package.json'),
      JSON.stringify({ name, version: '0.1.0', ...fields }, null, 2),
    );
  }
  for (const [file, lines] of Object.entries(changesets)) {
    await writeFile(join(root, '.changeset', file), `---\n${lines.join('\n')}\n---\n\nA change.\n`);
  }
  return root;
}

const adapterOnCore = { peerDependencies: { '@x/core': 'workspace:^0.1.0' } };

describe('checkReleasePlan', () => {
  it('asks for a minor of a 0.x peer dependent when core goes to its next minor', async () => {
    const root = await workspace(
      { '@x/core': {}, '@x/adapter': adapterOnCore },
      { 'a.md': ['"@x/core": minor'] },
    );
    const problems = await checkReleasePlan(root);
    assert.equal(problems.length, 1);
    assert.match(
      problems[0],
      /@x\/core goes to 0\.2\.0 \(a\.md\), outside @x\/adapter's peerDependencies range/,
    );
    assert.match(problems[0], /@x\/adapter needs a minor changeset too \(planned: none\)/);
  });

  it('is satisfied when the same or another changeset bumps the dependent by a minor', async () => {
    const root = await workspace(
      { '@x/core': {}, '@x/adapter': adapterOnCore },
      { 'a.md': ['"@x/core": minor'], 'b.md': ['"@x/adapter": minor'] },
    );
    assert.deepEqual(await checkReleasePlan(root), []);
  });

  it('asks nothing for a patch, which stays inside ^0.1.0', async () => {
    const root = await workspace(
      { '@x/core': {}, '@x/adapter': adapterOnCore },
      { 'a.md': ['"@x/core": patch'] },
    );
    assert.deepEqual(await checkReleasePlan(root), []);
  });

  it('follows the chain: a dependent bumped for core takes its own dependents out of range', async () => {
    const root = await workspace(
      {
        '@x/core': {},
        '@x/adapter': adapterOnCore,
        '@x/facade': { peerDependencies: { '@x/adapter': 'workspace:^0.1.0' } },
      },
      { 'a.md': ['"@x/core": minor', '"@x/adapter": minor'] },
    );
    const problems = await checkReleasePlan(root);
    assert.equal(problems.length, 1);
    assert.match(problems[0], /@x\/facade needs a minor changeset/);
  });

  it('asks for a major of a dependent that is 1.x, and reads workspace:^ as ^<current version>', async () => {
    const root = await workspace(
      {
        '@x/core': { version: '1.2.0' },
        '@x/adapter': { version: '1.0.0', dependencies: { '@x/core': 'workspace:^' } },
      },
      { 'a.md': ['"@x/core": major', '"@x/adapter": minor'] },
    );
    const problems = await checkReleasePlan(root);
    assert.equal(problems.length, 1);
    assert.match(
      problems[0],
      /@x\/core goes to 2\.0\.0 .*@x\/adapter needs a major changeset too \(planned: minor\)/,
    );
  });

  it('leaves private and ignored packages alone', async () => {
    const root = await workspace(
      {
        '@x/core': {},
        '@x/demo': { private: true, ...adapterOnCore },
        '@x/bench': adapterOnCore,
      },
      { 'a.md': ['"@x/core": minor'] },
      { ignore: ['@x/bench'] },
    );
    assert.deepEqual(await checkReleasePlan(root), []);
  });

  it('refuses a range that lets a 0.x minor in, naming the file and the range to use', async () => {
    const root = await workspace(
      { '@x/core': {}, '@x/adapter': { peerDependencies: { '@x/core': 'workspace:>=0.1.0 <1.0.0' } } },
      { 'a.md': ['"@x/core": minor'] },
    );
    await assert.rejects(
      checkReleasePlan(root),
      /adapter[/\\]package\.json: peerDependencies\.@x\/core: use workspace:\^<version> \(e\.g\. workspace:\^0\.1\.0\).*found 'workspace:>=0\.1\.0 <1\.0\.0'/,
    );
  });

  it('refuses a changeset naming a package the workspace does not have', async () => {
    const root = await workspace({ '@x/core': {} }, { 'a.md': ['"@x/cor": minor'] });
    await assert.rejects(
      checkReleasePlan(root),
      /\.changeset\/a\.md: '@x\/cor' is not a package of this workspace/,
    );
  });
});

describe('changeset version (the workspace’s @changesets/cli) on a plan the check accepts', () => {
  it('moves core and its dependent to 0.2.0 and the peer range to workspace:^0.2.0', async () => {
    const root = await workspace(
      { '@x/core': {}, '@x/adapter': adapterOnCore },
      { 'a.md': ['"@x/core": minor', '"@x/adapter": minor'] },
    );
    assert.deepEqual(await checkReleasePlan(root), []);
    await promisify(execFile)(join(repo, 'node_modules', '.bin', 'changeset'), ['version'], {
      cwd: root,
      timeout: 60_000,
    });
    const read = async (name) =>
      JSON.parse(await readFile(join(root, 'packages', name, 'package.json'), 'utf8'));
    assert.equal((await read('core')).version, '0.2.0');
    const adapter = await read('adapter');
    // changesets 2.x made this 1.0.0: a peer taken out of range forced a major.
    assert.equal(adapter.version, '0.2.0');
    assert.deepEqual(adapter.peerDependencies, { '@x/core': 'workspace:^0.2.0' });
  });
});
