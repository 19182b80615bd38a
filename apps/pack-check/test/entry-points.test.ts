import { describe, expect, it } from 'vitest';
import { entryPoints, sourceConditions } from '../src/entry-points.js';

describe('entryPoints', () => {
  it('lists every exports target, main, module, types and each bin', () => {
    const entries = entryPoints({
      main: './dist/index.cjs',
      module: 'dist/index.js',
      types: './dist/index.d.cts',
      bin: { a: './dist/a.js', b: 'dist/b.js' },
      exports: {
        '.': {
          import: { types: './dist/index.d.ts', default: './dist/index.js' },
          require: './dist/index.cjs',
        },
        './x': ['./dist/x.js'],
        './package.json': './package.json',
      },
    });
    expect(entries).toEqual([
      { field: 'exports["."]["import"]["types"]', path: 'dist/index.d.ts' },
      { field: 'exports["."]["import"]["default"]', path: 'dist/index.js' },
      { field: 'exports["."]["require"]', path: 'dist/index.cjs' },
      { field: 'exports["./x"][0]', path: 'dist/x.js' },
      { field: 'exports["./package.json"]', path: 'package.json' },
      { field: 'main', path: 'dist/index.cjs' },
      { field: 'module', path: 'dist/index.js' },
      { field: 'types', path: 'dist/index.d.cts' },
      { field: 'bin.a', path: 'dist/a.js' },
      { field: 'bin.b', path: 'dist/b.js' },
    ]);
  });

  it('takes a string bin and a string exports', () => {
    expect(entryPoints({ bin: './cli.js', exports: './index.js' })).toEqual([
      { field: 'exports', path: 'index.js' },
      { field: 'bin', path: 'cli.js' },
    ]);
  });
});

describe('sourceConditions', () => {
  it('finds the source condition at any depth', () => {
    expect(
      sourceConditions({
        '.': { source: './src/index.ts', import: { source: './src/x.ts', default: './dist/x.js' } },
        './y': './dist/y.js',
      }),
    ).toEqual(['exports["."]["source"]', 'exports["."]["import"]["source"]']);
    expect(sourceConditions('./dist/index.js')).toEqual([]);
    expect(sourceConditions(undefined)).toEqual([]);
  });
});
