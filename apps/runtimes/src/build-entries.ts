import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import { appDir, distDir, repoDir } from './paths.js';

/** workerd's compatibility date for the test worker: fixed, so a newer workerd changes nothing by itself. */
const WORKERD_COMPATIBILITY_DATE = '2025-09-01';

/** The files the rows run, built into `dist/`. */
export type Entry = 'entry-npm.js' | 'workerd.js' | 'deno-plain.js';

/**
 * Builds the three entries from this app's sources; the packages stay their built dist files.
 * Resolves with the build error of each entry that did not build, so that only its rows fail.
 */
export async function buildEntries(): Promise<Partial<Record<Entry, string>>> {
  for (const pkg of ['core', 'transport-fetch', 'transport-undici', 'caller', 'testkit']) {
    if (!existsSync(join(repoDir, 'packages', pkg, 'dist'))) {
      throw new Error(
        `packages/${pkg} is not built: run \`pnpm build\` first (every runtime loads the dist files)`,
      );
    }
  }
  await mkdir(distDir, { recursive: true });
  const common = {
    bundle: true,
    format: 'esm',
    target: 'es2022',
    logLevel: 'silent',
    sourcemap: false,
    platform: 'neutral',
  } as const;
  const builds: Array<[Entry, BuildOptions]> = [
    // Node, Bun, Deno: only the app's own files are bundled; the packages load by name from node_modules.
    ['entry-npm.js', { entryPoints: [join(appDir, 'src/entry-npm.ts')], packages: 'external' }],
    // workerd and plain Deno: everything in one file, as a worker bundler makes it. A Node
    // built-in anywhere in core, transport-fetch or testkit/portable fails the build ("Could not resolve").
    ['workerd.js', wholeBundle('entry-workerd.ts', ['workerd', 'worker', 'browser'])],
    ['deno-plain.js', wholeBundle('entry-deno-plain.ts', ['deno', 'browser'])],
  ];
  const failures: Partial<Record<Entry, string>> = {};
  for (const [entry, options] of builds) {
    try {
      await build({ ...common, ...options, outfile: join(distDir, entry) });
    } catch (error) {
      const errors = (error as { errors?: Array<{ text: string }> }).errors;
      failures[entry] = errors?.map((e) => e.text).join('; ') ?? String(error);
    }
  }
  return failures;
}

function wholeBundle(entry: string, conditions: string[]): BuildOptions {
  return {
    entryPoints: [join(appDir, 'src', entry)],
    mainFields: ['module', 'main'],
    conditions,
    // What a worker bundler sets: the matchers' pretty-printer (react-is) reads it, and neither
    // workerd nor Deno's plain modules have a `process` to read it from.
    define: { 'process.env.NODE_ENV': '"production"' },
  };
}

/** The config `workerd test` runs: the worker bundle, its bindings, loopback-only network. */
export async function writeWorkerdConfig(fixturesUrl: string, version: string): Promise<void> {
  const config = `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .matrix),
    # The worker's fetch goes out through "internet"; the fixture server is on 127.0.0.1.
    (name = "internet", network = (allow = ["local"])),
  ],
);

const matrix :Workerd.Worker = (
  modules = [(name = "worker", esModule = embed "workerd.js")],
  compatibilityDate = "${WORKERD_COMPATIBILITY_DATE}",
  bindings = [
    (name = "FIXTURES_URL", text = ${JSON.stringify(fixturesUrl)}),
    (name = "WORKERD_VERSION", text = ${JSON.stringify(version)}),
  ],
);
`;
  await writeFile(join(distDir, 'workerd.capnp'), config);
}

/** The first line `command args` prints (`--version`), without a leading `workerd`. */
export async function versionOf(command: string, args: string[]): Promise<string> {
  const { stdout } = await collect(command, args, 10_000);
  return (
    stdout
      .trim()
      .split('\n')[0]
      ?.replace(/^workerd\s+/, '') ?? 'unknown'
  );
}

function collect(
  command: string,
  args: string[],
  bound: number,
): Promise<{ stdout: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'], timeout: bound });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout, code }));
  });
}
