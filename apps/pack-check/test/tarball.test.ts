import { describe, expect, it } from 'vitest';
import type { PackedManifest } from '../src/entry-points.js';
import { checkTarball, type PackedPackage } from '../src/tarball.js';

const REPOSITORY = {
  repository: {
    type: 'git',
    url: 'git+https://github.com/service-caller/service-caller.git',
    directory: 'packages/cli',
  },
  homepage: 'https://github.com/service-caller/service-caller/tree/main/packages/cli#readme',
  bugs: { url: 'https://github.com/service-caller/service-caller/issues' },
};

const EXPORTS = {
  '.': {
    import: { types: './dist/index.d.ts', default: './dist/index.js' },
    require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
  },
  './package.json': './package.json',
};

/** A tarball from `texts` (path -> text); files without text read as empty. */
function tarball(manifest: PackedManifest, texts: Record<string, string>): PackedPackage {
  return {
    name: '@service-caller/cli',
    version: '0.1.0',
    folder: 'packages/cli',
    tarball: '/tmp/cli.tgz',
    manifest,
    files: Object.keys(texts).sort(),
    read: (path) => texts[path] ?? '',
  };
}

/** The CLI's dist as tsup builds it now: ESM index + bin sharing a chunk, CommonJS index, types. */
const DIST = {
  'dist/chunk-AB.js': 'export const x = 1;\n//# sourceMappingURL=chunk-AB.js.map',
  'dist/chunk-AB.js.map': '{}',
  'dist/index.js': 'import { x } from "./chunk-AB.js";\n//# sourceMappingURL=index.js.map',
  'dist/index.js.map': '{}',
  'dist/cli.js':
    '#!/usr/bin/env node\nimport {\n  run\n} from "./chunk-AB.js";\n//# sourceMappingURL=cli.js.map',
  'dist/cli.js.map': '{}',
  'dist/index.cjs': 'var x = require("yaml");\n//# sourceMappingURL=index.cjs.map',
  'dist/index.cjs.map': '{}',
  'dist/index.d.ts':
    "/**\n * import { run } from '../src/index.js';\n */\nexport declare function run(): void;\n",
  'dist/index.d.cts': 'export declare function run(): void;\n',
};
const DOCUMENTS = { 'package.json': '{}', 'README.md': '# cli', LICENSE: 'MIT' };

const GOOD: PackedManifest = {
  name: '@service-caller/cli',
  version: '0.1.0',
  license: 'MIT',
  ...REPOSITORY,
  main: './dist/index.cjs',
  module: './dist/index.js',
  types: './dist/index.d.cts',
  exports: EXPORTS,
  bin: { 'service-caller': './dist/cli.js' },
  dependencies: { '@service-caller/caller': '^0.1.0', commander: '^14.0.3' },
};

describe('checkTarball', () => {
  it('passes a tarball as pnpm pack now makes the CLI', () => {
    expect(checkTarball(tarball(GOOD, { ...DOCUMENTS, ...DIST }))).toEqual([]);
  });

  it('names everything wrong with the CLI tarball as published before issue #18', () => {
    const { repository: _r, homepage: _h, bugs: _b, ...withoutRepository } = GOOD;
    const old: PackedManifest = {
      ...withoutRepository,
      exports: { '.': { source: './src/index.ts', ...EXPORTS['.'] }, './package.json': './package.json' },
      dependencies: { '@service-caller/caller': 'workspace:^' },
    };
    const { LICENSE: _l, ...documents } = DOCUMENTS;
    const problems = checkTarball(
      tarball(old, {
        ...documents,
        ...DIST,
        'dist/cli.cjs': 'require("./chunk-CD.cjs")',
        'dist/cli.cjs.map': '{}',
        'dist/cli.d.ts': '',
        'src/index.ts': '',
        'src/cli.ts': '',
      }),
    );
    expect(problems).toEqual([
      `exports["."]["source"] is published: the workspace's source condition must not be (publishConfig.exports)`,
      'ships src/ (2 files, e.g. src/cli.ts): files must be ["dist"]',
      'has no LICENSE file',
      'has no repository.url',
      'repository.directory is undefined, expected "packages/cli"',
      'has no homepage',
      'has no bugs.url',
      'dependencies.@service-caller/caller is still "workspace:^"',
      // src/index.ts is reached through the source condition; the bin's CommonJS build and types are not.
      'ships 4 file(s) no entry point loads: dist/cli.cjs, dist/cli.cjs.map, dist/cli.d.ts, src/cli.ts',
    ]);
  });

  it('names an entry point the tarball lacks and an import of a file it lacks', () => {
    const { 'dist/index.d.cts': _d, ...dist } = DIST;
    const problems = checkTarball(
      tarball(GOOD, { ...DOCUMENTS, ...dist, 'dist/index.js': 'import "./gone.js";\nexport {};' }),
    );
    expect(problems).toContain(
      `exports["."]["require"]["types"] names dist/index.d.cts, which the tarball does not have`,
    );
    expect(problems).toContain('types names dist/index.d.cts, which the tarball does not have');
    expect(problems).toContain('dist/index.js -> ./gone.js: not in the tarball');
  });
});
