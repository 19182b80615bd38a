// node --test scripts/adapter-boundaries.test.mjs
// The house rule for adapter packages (transport-*, registry-*, interceptor-*, and admin), checked on the
// files themselves: each depends on @service-caller/core alone, as a peer with a workspace caret
// range, and on no other package of ours; its source imports core's entries and nothing else of
// ours. The interceptor packages and admin are built as a third party would build one, so they
// import core's root entry and `/adapter` (what docs/third-party-packages.md offers a third party:
// the option checks, the secret test and masking), never `/node`. (Written by hand with no
// dependency, like the other script checks.)

import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ADAPTER = /^((transport|registry|interceptor)-|admin$)/;
/** Built on core's portable entries alone, as any third-party package would be. */
const THIRD_PARTY_SHAPED = /^(interceptor-|admin$)/;
const RANGE_KINDS = ['dependencies', 'peerDependencies', 'optionalDependencies'];

/** The `from '...'` specifiers of the import and export statements, comments left out. */
function importedModules(source) {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"])\/\/.*$/gm, '$1');
  return [...code.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*['"]([^'"]+)['"]/gm)].map((m) => m[1]);
}

async function sourceFiles(dir) {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && /\.ts$/.test(e.name) && !/\.test(-d)?\.ts$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

const adapters = (await readdir(join(root, 'packages'))).filter((name) => ADAPTER.test(name)).sort();

describe('adapter packages depend on @service-caller/core alone', () => {
  it('finds the adapters, the two interceptor packages among them', () => {
    assert.ok(adapters.includes('interceptor-otel'), adapters.join(', '));
    assert.ok(adapters.includes('interceptor-prometheus'), adapters.join(', '));
    assert.ok(adapters.includes('admin'), adapters.join(', '));
  });

  for (const name of adapters) {
    it(`${name}: core as a peer with a workspace caret range, no other package of ours`, async () => {
      const manifest = JSON.parse(await readFile(join(root, 'packages', name, 'package.json'), 'utf8'));
      const ours = RANGE_KINDS.flatMap((kind) =>
        Object.entries(manifest[kind] ?? {})
          .filter(([dep]) => dep.startsWith('@service-caller/'))
          .map(([dep, range]) => `${kind}: ${dep}@${range}`),
      );
      assert.equal(ours.length, 1, `expected core alone, found ${ours.join('; ')}`);
      assert.match(ours[0], /^peerDependencies: @service-caller\/core@workspace:\^0\.\d+\.\d+$/);
    });

    it(`${name}: its source imports nothing of ours but core`, async () => {
      const allowed = THIRD_PARTY_SHAPED.test(name)
        ? ['@service-caller/core', '@service-caller/core/adapter']
        : ['@service-caller/core', '@service-caller/core/adapter', '@service-caller/core/node'];
      const wrong = [];
      for (const file of await sourceFiles(join(root, 'packages', name, 'src'))) {
        for (const module of importedModules(await readFile(file, 'utf8'))) {
          if (module.startsWith('@service-caller/') && !allowed.includes(module)) {
            wrong.push(`${relative(root, file)} imports ${module}`);
          }
        }
      }
      assert.deepEqual(wrong, []);
    });
  }
});

describe('importedModules', () => {
  it('reads import and export statements, not comments or strings in code', () => {
    const source = [
      "import { a } from '@service-caller/core';",
      "import type {\n  B,\n} from '@service-caller/core/adapter';",
      "export { c } from './c.js';",
      '/**',
      ' * @example',
      " * import { x } from '@service-caller/caller';",
      ' */',
      "// import { y } from '@service-caller/cli';",
      "const text = 'from @service-caller/admin';",
    ].join('\n');
    assert.deepEqual(importedModules(source), [
      '@service-caller/core',
      '@service-caller/core/adapter',
      './c.js',
    ]);
  });
});
