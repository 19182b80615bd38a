import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { arch, loadavg, release, type } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { serveFixtures } from '@service-caller/testkit/node';
import { build } from 'esbuild';
import { LINE_PREFIX } from './report.js';
import type { TestResult } from './runner.js';
import { type RuntimeRun, renderTable, SUITES } from './table.js';

/*
 * The runtime matrix: builds the entries, starts the suites' fixture server here (Node, on
 * 127.0.0.1 port 0), runs each runtime in turn against it, and prints what ran where.
 *
 *   tsx src/matrix.ts --bin <dir with node, bun, deno, workerd> [--only node22,bun] [--readme]
 *
 * The runtimes come from scripts/runtimes.sh (the npm registry's node@22, bun, deno, workerd);
 * Node 24 is the Node running this script. The packages must be built (`pnpm build`): every
 * runtime loads their dist files, as an application would.
 */

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const repoDir = join(appDir, '..', '..');
const distDir = join(appDir, 'dist');

/** The bound on one runtime's whole run, and on its exit once its last result is out. */
const RUN_BOUND_MS = 150_000;
const EXIT_BOUND_MS = 10_000;
/** workerd's compatibility date for the test worker: fixed, so a newer workerd changes nothing by itself. */
const WORKERD_COMPATIBILITY_DATE = '2025-09-01';

const { values } = parseArgs({
  options: {
    bin: { type: 'string' },
    only: { type: 'string' },
    readme: { type: 'boolean', default: false },
  },
});
if (!values.bin) {
  console.error(
    'usage: tsx src/matrix.ts --bin <dir> [--only node22,node24,bun,deno,deno-plain,workerd] [--readme]',
  );
  process.exit(2);
}
const bin = values.bin;

interface RuntimeSpec {
  readonly id: string;
  readonly label: string;
  /** How it loads the packages, for the table. */
  readonly loads: string;
  readonly command: string;
  readonly args: (fixturesUrl: string) => string[];
}

const RUNTIMES: readonly RuntimeSpec[] = [
  {
    id: 'node22',
    label: 'Node 22',
    loads: 'npm packages (ESM dist)',
    command: join(bin, 'node'),
    args: (url) => [join(distDir, 'entry-npm.js'), url],
  },
  {
    id: 'node24',
    label: 'Node 24',
    loads: 'npm packages (ESM dist)',
    command: process.execPath,
    args: (url) => [join(distDir, 'entry-npm.js'), url],
  },
  {
    id: 'bun',
    label: 'Bun',
    loads: 'npm packages (ESM dist)',
    command: join(bin, 'bun'),
    args: (url) => [join(distDir, 'entry-npm.js'), url],
  },
  {
    id: 'deno',
    label: 'Deno',
    loads: 'npm packages (ESM dist, node_modules)',
    command: join(bin, 'deno'),
    args: (url) => [
      'run',
      '--allow-net=127.0.0.1',
      '--allow-read',
      '--allow-env',
      '--allow-sys',
      join(distDir, 'entry-npm.js'),
      url,
    ],
  },
  {
    id: 'deno-plain',
    label: 'Deno',
    loads: 'plain ES modules (one bundle)',
    command: join(bin, 'deno'),
    args: (url) => ['run', '--allow-net=127.0.0.1', join(distDir, 'deno-plain.js'), url],
  },
  {
    id: 'workerd',
    label: 'workerd',
    loads: 'one bundle, no compatibility flags',
    command: join(bin, 'workerd'),
    args: () => ['test', '--verbose', join(distDir, 'workerd.capnp')],
  },
];

const only = values.only?.split(',').map((id) => id.trim());
const selected = only ? RUNTIMES.filter((runtime) => only.includes(runtime.id)) : RUNTIMES;
if (only && selected.length !== only.length) {
  const known = RUNTIMES.map((runtime) => runtime.id);
  console.error(
    `unknown runtime in --only: ${only.filter((id) => !known.includes(id)).join(', ')} (known: ${known.join(', ')})`,
  );
  process.exit(2);
}

// Timing is not what the matrix measures, but a loaded machine explains a slow row.
const machine = `${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} · ${type()} ${release()} ${arch()} · 1-min load average at start: ${loadavg()[0]!.toFixed(2)}`;
await buildEntries();
const fixtures = await serveFixtures();
const runs: RuntimeRun[] = [];
try {
  for (const runtime of selected) {
    if (runtime.id === 'workerd')
      await writeWorkerdConfig(fixtures.url, await versionOf(runtime.command, ['--version']));
    const run = await runRuntime(runtime, fixtures.url);
    runs.push(run);
    printRun(run);
  }
} finally {
  await fixtures.close();
}

const table = `${machine}\n\n${renderTable(runs)}`;
console.log(`\n${table}\n`);
if (values.readme) await writeReadmeTable(table);
const passed = runs.reduce((sum, run) => sum + run.results.filter((r) => r.state === 'pass').length, 0);
const failed = runs.reduce(
  (sum, run) => sum + run.results.filter((r) => r.state === 'fail').length + run.problems.length,
  0,
);
// The line scripts/test-all.sh adds to its closing count, in the form it reads from vitest.
console.log(`runtime matrix: Tests ${passed} passed | ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;

/** The three entries, from the apps' sources; the packages stay their built dist files. */
async function buildEntries(): Promise<void> {
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

async function writeWorkerdConfig(fixturesUrl: string, version: string): Promise<void> {
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

async function versionOf(command: string, args: string[]): Promise<string> {
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

/**
 * Runs one runtime to the end: its results, its own version line, and what went wrong outside
 * the tests (no summary, a non-zero exit, no exit of its own after the last result).
 */
function runRuntime(runtime: RuntimeSpec, fixturesUrl: string): Promise<RuntimeRun> {
  const started = performance.now();
  const results: TestResult[] = [];
  const problems: string[] = [];
  let version = '';
  let summaryAt: number | undefined;
  const output: string[] = [];

  return new Promise((resolve) => {
    if (!existsSync(runtime.command)) {
      problems.push(`${runtime.command} not found: run scripts/runtimes.sh (it installs the runtimes)`);
      resolve({
        id: runtime.id,
        label: runtime.label,
        loads: runtime.loads,
        version,
        results,
        problems,
        ms: 0,
      });
      return;
    }
    const child = spawn(runtime.command, runtime.args(fixturesUrl), {
      cwd: appDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    const kill = (why: string) => {
      problems.push(why);
      child.kill('SIGKILL');
    };
    const runTimer = setTimeout(
      () => kill(`still running after ${RUN_BOUND_MS / 1000} s: stopped`),
      RUN_BOUND_MS,
    );
    let exitTimer: NodeJS.Timeout | undefined;
    let pending = '';
    const onLine = (line: string) => {
      const at = line.indexOf(LINE_PREFIX);
      if (at === -1) {
        output.push(line);
        return;
      }
      const message = JSON.parse(line.slice(at + LINE_PREFIX.length)) as
        | ({ type: 'result' } & TestResult)
        | { type: 'summary'; runtime: string };
      if (message.type === 'result') {
        const { type: _type, ...result } = message;
        results.push(result);
      } else {
        version = message.runtime;
        summaryAt = performance.now();
        // workerd's test command is a run to the end by design; the others must end by themselves.
        if (runtime.id !== 'workerd') {
          exitTimer = setTimeout(
            () =>
              kill(
                `did not exit by itself within ${EXIT_BOUND_MS / 1000} s of its last test (something kept running)`,
              ),
            EXIT_BOUND_MS,
          );
        }
      }
    };
    const onData = (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      let newline = pending.indexOf('\n');
      while (newline !== -1) {
        onLine(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (error) => problems.push(`could not start: ${error.message}`));
    child.on('close', (code, signal) => {
      clearTimeout(runTimer);
      clearTimeout(exitTimer);
      if (pending) onLine(pending);
      if (summaryAt === undefined) {
        problems.push(
          `ended without a summary (exit ${code ?? signal}); its last output:\n${output.slice(-15).join('\n')}`,
        );
      } else if (code !== 0 && !results.some((r) => r.state === 'fail') && signal !== 'SIGKILL') {
        problems.push(`exited with ${code ?? signal} although every test passed`);
      }
      resolve({
        id: runtime.id,
        label: runtime.label,
        loads: runtime.loads,
        version,
        results,
        problems,
        ms: performance.now() - started,
      });
    });
  });
}

function printRun(run: RuntimeRun): void {
  const count = (state: TestResult['state']) => run.results.filter((r) => r.state === state).length;
  console.log(
    `\n== ${run.version || run.label} (${run.loads}): ${count('pass')} passed, ${count('fail')} failed, ${count('excluded')} excluded, ${(run.ms / 1000).toFixed(1)} s`,
  );
  for (const result of run.results.filter((r) => r.state !== 'pass')) {
    console.log(`  ${result.state === 'fail' ? '✗' : '-'} ${result.name}: ${result.error ?? ''}`);
  }
  for (const problem of run.problems) console.log(`  ✗ ${problem}`);
  const known = run.results.filter((r) => !SUITES.some((suite) => r.name.startsWith(suite.prefix)));
  for (const result of known) console.log(`  (outside the table) ${result.name}`);
}

/** Replaces the table between the README's runtime markers with this run's. */
async function writeReadmeTable(table: string): Promise<void> {
  const readme = join(repoDir, 'README.md');
  const text = await readFile(readme, 'utf8');
  const start = '<!-- runtimes:start -->';
  const end = '<!-- runtimes:end -->';
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from === -1 || to === -1) throw new Error(`README.md has no ${start} ... ${end} section`);
  await writeFile(readme, `${text.slice(0, from + start.length)}\n${table}\n${text.slice(to)}`);
  console.log('README.md: runtime table updated');
}
