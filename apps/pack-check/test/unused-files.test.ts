import { describe, expect, it } from 'vitest';
import { fileGraph } from '../src/unused-files.js';

function graph(entries: string[], texts: Record<string, string>) {
  return fileGraph(
    entries.map((path) => ({ field: 'exports', path })),
    Object.keys(texts),
    (path) => texts[path] ?? '',
  );
}

describe('fileGraph', () => {
  it('follows ESM imports, require() calls and source maps to shared chunks', () => {
    const result = graph(['dist/index.js', 'dist/index.cjs'], {
      'dist/index.js': 'import { a } from "./chunk-1.js";\nexport { a };\n//# sourceMappingURL=index.js.map',
      'dist/index.js.map': '{}',
      'dist/chunk-1.js': 'export const a = 1;\n//# sourceMappingURL=chunk-1.js.map',
      'dist/chunk-1.js.map': '{}',
      'dist/index.cjs': "var c = require('./chunk-2.cjs');\nvar u = require('undici');",
      'dist/chunk-2.cjs': 'module.exports = {};',
    });
    expect(result).toEqual({ unused: [], unresolved: [] });
  });

  it("maps a declaration's ./x.js to ./x.d.ts and ./x.cjs to ./x.d.cts", () => {
    const result = graph(['dist/index.d.ts', 'dist/index.d.cts'], {
      'dist/index.d.ts': "import { A } from './types-X.js';\nexport { A };",
      'dist/index.d.cts': "export { A } from './types-X.cjs';",
      'dist/types-X.d.ts': 'export interface A {}',
      'dist/types-X.d.cts': 'export interface A {}',
    });
    expect(result).toEqual({ unused: [], unresolved: [] });
  });

  it('reports what nothing reaches, but never package.json, README or LICENSE', () => {
    const result = graph(['dist/index.js'], {
      'package.json': '{}',
      'README.md': '',
      LICENSE: '',
      'dist/index.js': 'export {};',
      'dist/cli.cjs': 'require("./chunk.cjs")',
      'dist/cli.d.ts': '',
      'docs/README.md': '',
    });
    expect(result.unused).toEqual(['dist/cli.cjs', 'dist/cli.d.ts', 'docs/README.md']);
    expect(result.unresolved).toEqual([]);
  });

  it('reports imports and source maps that name a file the tarball lacks', () => {
    const result = graph(['dist/index.js'], {
      'dist/index.js':
        'import "./polyfill.js";\nconst m = await import("./lazy.js");\n//# sourceMappingURL=index.js.map',
    });
    expect(result.unresolved).toEqual([
      'dist/index.js -> ./lazy.js',
      'dist/index.js -> ./polyfill.js',
      'dist/index.js -> index.js.map (source map)',
    ]);
  });

  it('does not read imports out of doc comments (a TSDoc example naming ../src)', () => {
    const result = graph(['dist/index.d.ts'], {
      'dist/index.d.ts':
        "/**\n * @example\n * import { x } from '../src/index.js';\n */\n// import './nope.js'\nexport {};",
    });
    expect(result).toEqual({ unused: [], unresolved: [] });
  });

  it('leaves inline source maps alone', () => {
    const result = graph(['dist/a.js'], {
      'dist/a.js': 'export {};\n//# sourceMappingURL=data:application/json;base64,e30=',
    });
    expect(result).toEqual({ unused: [], unresolved: [] });
  });
});
