import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

/*
 * `@service-caller/testkit/portable` is for runtimes without Node's modules and without vitest:
 * bundled as a user's bundler would, the only module it may import is the core.
 */

async function importsOf(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'neutral',
    // Everything that is not a file of this package stays an import, to be listed here.
    packages: 'external',
    logLevel: 'silent',
  });
  const imports = Object.values(result.metafile.outputs).flatMap((output) =>
    output.imports.filter((entry) => entry.external).map((entry) => entry.path),
  );
  return [...new Set(imports)].sort();
}

describe('the portable entry', () => {
  it('imports nothing but @service-caller/core: no vitest, no Node built-in', async () => {
    expect(await importsOf('../src/portable.ts')).toEqual(['@service-caller/core']);
  });

  it('is what the vitest entry is not: the root imports vitest and Node built-ins', async () => {
    const root = await importsOf('../src/index.ts');
    expect(root).toContain('vitest');
    expect(root).toContain('node:http');
  });
});
