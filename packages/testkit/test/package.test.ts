import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

/*
 * The testkit ships ES modules only: vitest, its peer, cannot be `require`d, so a CommonJS entry
 * could only ever throw. These checks read the manifest that `pnpm pack` publishes.
 */

const manifest = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
  type?: string;
  main?: string;
  types?: string;
  exports: Record<string, unknown>;
  scripts: Record<string, string>;
};

describe('the published package', () => {
  it('has no CommonJS entry: no require condition, nothing pointing at .cjs or .d.cts', () => {
    expect(manifest.type).toBe('module');
    const root = manifest.exports['.'] as Record<string, unknown>;
    expect(root).not.toHaveProperty('require');
    expect(
      JSON.stringify({ main: manifest.main, types: manifest.types, exports: manifest.exports }),
    ).not.toMatch(/\.c[jt]s\b/);
  });

  it('points main, types and the import of "." at the ESM build', () => {
    expect(manifest.main).toBe('./dist/index.js');
    expect(manifest.types).toBe('./dist/index.d.ts');
    expect(manifest.exports['.']).toMatchObject({ types: './dist/index.d.ts', default: './dist/index.js' });
  });

  it('builds ESM only and checks the types with the esm-only profile', () => {
    expect(manifest.scripts.build).toMatch(/--format esm(\s|$)/);
    expect(manifest.scripts['lint:package']).toContain('--profile esm-only');
  });
});
