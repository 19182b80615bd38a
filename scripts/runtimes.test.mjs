// node --test scripts/runtimes.test.mjs
// scripts/runtimes.sh: what it says when called wrongly (installing and running are the matrix's
// own job, run by test-all).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const script = join(dirname(fileURLToPath(import.meta.url)), 'runtimes.sh');

describe('scripts/runtimes.sh', () => {
  for (const args of [[], ['instal'], ['--readme']]) {
    it(`refuses ${JSON.stringify(args)} with exit 2 and the usage, installing nothing`, () => {
      const run = spawnSync('bash', [script, ...args], {
        encoding: 'utf8',
        // A folder that must stay untouched: nothing is installed before the command is known.
        env: { ...process.env, SC_RUNTIMES_DIR: join('/nonexistent', 'service-caller-runtimes') },
      });
      assert.equal(run.status, 2);
      assert.match(run.stderr, /usage: bash scripts\/runtimes\.sh install \| run/);
      assert.equal(run.stdout, '');
    });
  }
});
