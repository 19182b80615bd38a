import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Options } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import config from '../tsup.config.js';

/*
 * The published entries, as built: the package's own tsup config, into a temporary folder
 * (declarations left out: they do not change what loads). Checks what only a build can show:
 * that both formats load, that the entries share one copy of each class, and which modules each
 * entry pulls in.
 */

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
let outDir = '';

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'service-caller-core-build-'));
  const options = config as Options;
  await build({
    ...options,
    config: false,
    entry: (options.entry as string[]).map((entry) => join(packageDir, entry)),
    outDir,
    dts: false,
    sourcemap: false,
    silent: true,
  });
}, 60_000);

afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

const NODE_BUILTINS = new Set(builtinModules);
const SPECIFIER =
  /\bfrom\s*["']([^"']+)["']|\bimport\s*\(?\s*["']([^"']+)["']|\brequire\(\s*["']([^"']+)["']\s*\)/g;

/** Every module specifier the file imports, following its relative imports (chunks) to the end. */
async function reachedModules(file: string, seen = new Set<string>()): Promise<Set<string>> {
  const external = new Set<string>();
  if (seen.has(file)) return external;
  seen.add(file);
  const text = await readFile(file, 'utf8');
  for (const match of text.matchAll(SPECIFIER)) {
    const specifier = match[1] ?? match[2] ?? match[3]!;
    if (specifier.startsWith('.')) {
      for (const inner of await reachedModules(join(dirname(file), specifier), seen)) external.add(inner);
    } else {
      external.add(specifier);
    }
  }
  return external;
}

const isNodeBuiltin = (specifier: string) => specifier.startsWith('node:') || NODE_BUILTINS.has(specifier);

describe.each([
  ['ESM', 'js', (file: string) => import(pathToFileURL(file).href) as Promise<Record<string, unknown>>],
  ['CommonJS', 'cjs', async (file: string) => require(file) as Record<string, unknown>],
] as const)('the %s build', (_format, extension, load) => {
  it('loads /adapter with the helpers adapter authors use', async () => {
    const adapter = await load(join(outDir, `adapter.${extension}`));
    for (const name of [
      'optionReader',
      'InterceptorChain',
      'createRequestContext',
      'withoutQuery',
      'hasHeader',
    ]) {
      expect(typeof adapter[name], name).toBe('function');
    }
  });

  it('keeps the adapter helpers off the root', async () => {
    const root = await load(join(outDir, `index.${extension}`));
    expect(typeof root.endpoint).toBe('function');
    for (const name of [
      'optionReader',
      'InterceptorChain',
      'createRequestContext',
      'detectHostAddress',
      'get',
    ]) {
      expect(root, name).not.toHaveProperty(name);
    }
  });

  it('shares one copy of each class between the entries', async () => {
    const root = await load(join(outDir, `index.${extension}`));
    const adapter = await load(join(outDir, `adapter.${extension}`));
    const read = (adapter.optionReader as (file: string) => { port(value: unknown, key: string): unknown })(
      '<test>',
    );
    expect(() => read.port('x', 'port')).toThrow(root.ConfigError as new () => Error);
  });

  it.each(['index', 'adapter'])(
    '%s imports no Node built-in module, so it loads on any runtime',
    async (entry) => {
      const reached = [...(await reachedModules(join(outDir, `${entry}.${extension}`)))];
      expect(reached.filter(isNodeBuiltin)).toEqual([]);
    },
  );

  it('/node loads detectHostAddress, the one entry that reaches a Node built-in', async () => {
    const node = await load(join(outDir, `node.${extension}`));
    expect(typeof node.detectHostAddress).toBe('function');
    const reached = [...(await reachedModules(join(outDir, `node.${extension}`)))];
    // With its `node:` prefix, which Deno needs.
    expect(reached.filter(isNodeBuiltin)).toEqual(['node:os']);
  });
});
