import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { appDir, distDir, repoDir } from './paths.js';

/** workerd's compatibility date for the test worker: fixed, so a newer workerd changes nothing by itself. */
const WORKERD_COMPATIBILITY_DATE = '2025-09-01';

/** The three entries, from the apps' sources; the packages stay their built dist files. */
export async function buildEntries(): Promise<void> {
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
    logLevel: 'error',
    sourcemap: false,
  } as const;
  // Node, Bun, Deno: only the app's own files are bundled; the packages load by name from node_modules.
  await build({
    ...common,
    entryPoints: [join(appDir, 'src/entry-npm.ts')],
    outfile: join(distDir, 'entry-npm.js'),
    platform: 'neutral',
    packages: 'external',
  });
  // workerd and plain Deno: everything in one file, as a worker bundler makes it. A Node built-in
  // anywhere in core, transport-fetch or testkit/portable fails this build ("Could not resolve").
  for (const [entry, outfile, conditions] of [
    ['entry-workerd.ts', 'workerd.js', ['workerd', 'worker', 'browser']],
    ['entry-deno-plain.ts', 'deno-plain.js', ['deno', 'browser']],
  ] as const) {
    await build({
      ...common,
      entryPoints: [join(appDir, 'src', entry)],
      outfile: join(distDir, outfile),
      platform: 'neutral',
      mainFields: ['module', 'main'],
      conditions: [...conditions],
      // What a worker bundler sets: the matchers' pretty-printer (react-is) reads it, and neither
      // workerd nor Deno's plain modules have a `process` to read it from.
      define: { 'process.env.NODE_ENV': '"production"' },
    });
  }
}

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
