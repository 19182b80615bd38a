// node --test scripts/check-tools.test.mjs
// scripts/check-tools.sh run with a PATH that lacks a tool, or has one too old.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const script = join(dirname(fileURLToPath(import.meta.url)), 'check-tools.sh');
const made = [];
after(() => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))));

/** A folder of links to every program on this PATH except `without`, and `extra` scripts of our own. */
async function pathWithout(without, extra = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'service-caller-tools-'));
  made.push(dir);
  const linked = new Set([...without, ...Object.keys(extra)]);
  for (const folder of (process.env.PATH ?? '').split(delimiter)) {
    let names;
    try {
      names = await readdir(folder);
    } catch {
      continue;
    }
    for (const name of names) {
      if (linked.has(name)) continue;
      linked.add(name);
      await symlink(join(folder, name), join(dir, name));
    }
  }
  for (const [name, text] of Object.entries(extra)) {
    await writeFile(join(dir, name), `#!/bin/sh\n${text}\n`);
    await chmod(join(dir, name), 0o755);
  }
  return dir;
}

function run(profile, env) {
  const result = spawnSync('/bin/bash', [script, profile], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return { status: result.status, stderr: result.stderr, stdout: result.stdout };
}

describe('check-tools.sh', () => {
  it('is quiet and exits 0 on this machine, which has every tool', () => {
    assert.deepEqual(run('all', {}), { status: 0, stderr: '', stdout: '' });
  });

  it('names a missing flock and how to get it, and nothing else', async () => {
    const { status, stderr } = run('all', { PATH: await pathWithout(['flock']) });
    assert.equal(status, 1);
    assert.match(stderr, /lacks 1 tool\(s\) that the full test run needs/);
    assert.match(stderr, /- flock: apt-get install -y util-linux/);
  });

  it('names every missing tool at once', async () => {
    const { status, stderr } = run('all', { PATH: await pathWithout(['curl', 'openssl', 'mvn']) });
    assert.equal(status, 1);
    assert.match(stderr, /lacks 3 tool\(s\)/);
    for (const line of [
      '- curl: apt-get install -y curl',
      '- openssl: apt-get install -y openssl',
      '- mvn: apt-get install -y maven',
    ]) {
      assert.ok(stderr.includes(line), `${line} in:\n${stderr}`);
    }
  });

  it('names a missing chromium, unless CHROMIUM_PATH points at one', async () => {
    const PATH = await pathWithout(['chromium']);
    const { status, stderr } = run('all', { PATH, CHROMIUM_PATH: '' });
    assert.equal(status, 1);
    assert.match(stderr, /- chromium: apt-get install -y chromium/);
    assert.deepEqual(run('all', { PATH, CHROMIUM_PATH: '/usr/bin/chromium' }), {
      status: 0,
      stderr: '',
      stdout: '',
    });
  });

  it('names a Java older than 17 with its version', async () => {
    const java = 'echo \'openjdk version "11.0.22" 2024-01-16\' >&2';
    const { status, stderr } = run('all', { PATH: await pathWithout([], { java }) });
    assert.equal(status, 1);
    assert.match(stderr, /- java: found Java 11\.0\.22, need 17 or newer/);
  });

  it('reads the old 1.8 version scheme as Java 8', async () => {
    const java = 'echo \'java version "1.8.0_392"\' >&2';
    const { stderr } = run('all', { PATH: await pathWithout([], { java }) });
    assert.match(stderr, /- java: found Java 1\.8\.0_392, need 17 or newer/);
  });

  it('names a Python older than 3.12, as scripts/python-venv.sh would find it', async () => {
    const dir = await pathWithout([], { python311: 'exit 1' });
    const { status, stderr } = run('all', { SC_PYTHON: join(dir, 'python311') });
    assert.equal(status, 1);
    assert.match(stderr, /- python3 >= 3\.12: SC_PYTHON=.*python311 is not a Python >= 3\.12/);
  });

  it('asks only for git and npm in the base profile', async () => {
    const { status, stderr } = run('base', { PATH: await pathWithout(['npm', 'flock', 'java']) });
    assert.equal(status, 1);
    assert.match(stderr, /lacks 1 tool\(s\) that every script needs:\n {2}- npm: /);
  });

  it('refuses an unknown profile', () => {
    const { status, stderr } = run('everything', {});
    assert.equal(status, 2);
    assert.match(stderr, /unknown profile 'everything'/);
  });
});
