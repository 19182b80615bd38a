import { readFile, writeFile } from 'node:fs/promises';
import { arch, loadavg, release, type } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { serveFixtures } from '@service-caller/testkit/node';
import { buildEntries, versionOf, writeWorkerdConfig } from './build-entries.js';
import { repoDir } from './paths.js';
import { runRuntime } from './run-runtime.js';
import type { TestResult } from './runner.js';
import { runtimesIn } from './runtimes.js';
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

const only = values.only?.split(',').map((id) => id.trim());
const RUNTIMES = runtimesIn(bin);
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
const buildFailures = await buildEntries();
const fixtures = await serveFixtures();
const runs: RuntimeRun[] = [];
try {
  for (const runtime of selected) {
    const buildFailure = buildFailures[runtime.entry];
    if (buildFailure !== undefined) {
      const { id, label, loads } = runtime;
      const problem = `its entry ${runtime.entry} did not build: ${buildFailure}`;
      runs.push({ id, label, loads, version: '', results: [], problems: [problem], ms: 0 });
      printRun(runs.at(-1)!);
      continue;
    }
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
