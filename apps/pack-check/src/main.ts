/**
 * The packages as a user installs them from the npm registry (issue #18): every publishable
 * package packed by `pnpm pack` and its tarball checked, then, on Node 22 and on Node 24, fresh
 * projects outside the workspace that `npm install` the tarballs, type-check their consumer files
 * with tsc (nodenext and bundler resolution) and run them (tsc's output, and the `.ts` file by
 * Node's type stripping) against an upstream on 127.0.0.1. Usage: scripts/pack-check.sh.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { NODES, type NodeName, type ProjectSpec, readProjects } from './consumers.js';
import { excerpt, exec } from './exec.js';
import { type NodeRuntime, nodeRuntime } from './node-runtime.js';
import { installProject, selectedTarballs, type ToolVersions } from './project.js';
import { readmeProject } from './readmes.js';
import { Report } from './report.js';
import { runConsumer, verdict } from './runs.js';
import { checkTarball, readTarball } from './tarball.js';
import { RESOLUTIONS, typecheck } from './typecheck.js';
import { startUpstream, type Upstream } from './upstream.js';
import { pack, publishablePackages, unbuilt } from './workspace.js';

const USAGE = `usage: pack-check --node22 <node binary> [--node24 <node binary>] [--only node22,node24]
                  [--consumers <dir>]... [--skip-readmes] [--tarballs-only] [--keep]`;

const root = fileURLToPath(new URL('../../..', import.meta.url));
const defaultConsumers = fileURLToPath(new URL('../consumers', import.meta.url));

function options() {
  const { values } = parseArgs({
    options: {
      node22: { type: 'string' },
      node24: { type: 'string', default: process.execPath },
      only: { type: 'string' },
      consumers: { type: 'string', multiple: true },
      'tarballs-only': { type: 'boolean', default: false },
      'skip-readmes': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const only = (values.only?.split(',') ?? [...NODES]).map((name) => name.trim());
  for (const name of only) {
    if (!NODES.includes(name as NodeName))
      throw new Error(`--only: '${name}' is not one of ${NODES.join(', ')}`);
  }
  if (!values['tarballs-only'] && only.includes('node22') && values.node22 === undefined) {
    throw new Error(
      '--node22 <node binary> is required (scripts/pack-check.sh passes the one scripts/runtimes.sh installs)',
    );
  }
  // Relative folders are the caller's: pnpm runs this script in apps/pack-check, INIT_CWD is where it was called.
  const cwd = process.env.INIT_CWD ?? process.cwd();
  return {
    nodes: only as NodeName[],
    binaries: { node22: values.node22, node24: values.node24 } as Record<NodeName, string | undefined>,
    consumers: (values.consumers ?? [defaultConsumers]).map((dir) => resolve(cwd, dir)),
    tarballsOnly: values['tarballs-only'],
    readmes: !values['skip-readmes'],
    keep: values.keep,
  };
}

async function version(command: string, cwd: string): Promise<string> {
  const result = await exec(command, ['--version'], { cwd, env: process.env, timeoutMs: 30_000 });
  return result.stdout.trim() || `? (${result.stderr.trim()})`;
}

/** Packs every publishable package and checks each tarball; resolves with `name -> .tgz`. */
async function packAndCheck(report: Report, scratch: string): Promise<Map<string, string>> {
  const packages = await publishablePackages(root, process.env);
  const missing = unbuilt(packages);
  if (missing.length > 0) {
    throw new Error(`no dist/ in ${missing.map((pkg) => pkg.folder).join(', ')}: run \`pnpm build\` first`);
  }
  report.section(`Tarballs: pnpm pack (pnpm ${await version('pnpm', root)}), as pnpm publish packs them`);
  const tarballs = new Map<string, string>();
  for (const pkg of packages) {
    const tarball = await pack(pkg, join(scratch, 'tarballs'), process.env);
    const packed = await readTarball(tarball, join(scratch, 'unpacked', pkg.folder), pkg);
    const problems = checkTarball(packed);
    const { size } = await stat(tarball);
    report.add({
      ok: problems.length === 0,
      label: `${pkg.name}@${pkg.version}: ${packed.files.length} files, ${(size / 1024).toFixed(1)} kB packed`,
      note: problems.join('\n'),
    });
    tarballs.set(pkg.name, tarball);
  }
  return tarballs;
}

/** One project on one Node: install, type checks, runs. */
async function checkProject(
  report: Report,
  spec: ProjectSpec,
  node: NodeRuntime,
  dir: string,
  tarballs: ReadonlyMap<string, string>,
  tools: ToolVersions,
  upstream: Upstream,
): Promise<void> {
  const label = `${node.name} ${spec.name}`;
  report.info(`${spec.name}: ${spec.description}`);
  const selected = selectedTarballs(spec, tarballs);
  const installed = await installProject(spec, dir, node, selected, tools);
  const extra = Object.keys(spec.dependencies);
  report.add({
    ok: installed.result.code === 0 && installed.problems.length === 0,
    label: `${label}: npm install of ${selected.length} tarball(s) + typescript${extra.length === 0 ? '' : `, ${extra.join(', ')}`}`,
    note:
      installed.result.code !== 0
        ? `exit ${installed.result.code}:\n${excerpt(installed.result.stderr)}`
        : installed.problems.length > 0
          ? installed.problems.join('\n')
          : `${(installed.result.ms / 1000).toFixed(1)} s${installed.warnings.length === 0 ? '' : `; ${installed.warnings.length} other npm warning(s): ${installed.warnings.join(' | ')}`}`,
  });
  if (installed.result.code !== 0) return;
  if (spec.consumers.some((c) => c.kind === 'ts-esm' || c.kind === 'ts-cjs')) {
    for (const resolution of RESOLUTIONS) {
      const checked = await typecheck(spec, dir, node, resolution);
      report.add({
        ok: checked.code === 0,
        label: `${label}: tsc -p ${checked.tsconfig}`,
        note: checked.code === 0 ? '' : excerpt(`${checked.stdout}\n${checked.stderr}`, 30),
      });
    }
  }
  for (const consumer of spec.consumers) {
    for (const mode of consumer.modes) {
      const result = await runConsumer(spec, consumer, mode, dir, node, upstream);
      const { ok, note } = verdict(consumer, mode, node.name, result);
      report.add({ ok, label: `${label}/${consumer.file}: ${mode}`, note });
    }
  }
}

async function main(): Promise<number> {
  let opts: ReturnType<typeof options>;
  try {
    opts = options();
  } catch (error) {
    process.stderr.write(`pack-check: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const report = new Report((text) => process.stdout.write(text));
  const scratch = await mkdtemp(join(tmpdir(), 'service-caller-pack-check-'));
  let upstream: Upstream | undefined;
  try {
    const projects = opts.consumers.flatMap(readProjects);
    if (opts.readmes) projects.push(await readmeProject(root, join(scratch, 'readmes', 'readmes'), report));
    const tarballs = await packAndCheck(report, scratch);
    if (!opts.tarballsOnly) {
      const rootManifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
      const tools: ToolVersions = { typescript: rootManifest.devDependencies.typescript };
      upstream = await startUpstream();
      for (const name of opts.nodes) {
        const node = await nodeRuntime(name, opts.binaries[name] as string, scratch);
        report.section(
          `Node ${node.version}: fresh projects in ${join(scratch, name)}, npm ${await version('npm', scratch)}`,
        );
        for (const spec of projects) {
          await checkProject(report, spec, node, join(scratch, name, spec.name), tarballs, tools, upstream);
        }
      }
    }
  } catch (error) {
    report.add({ ok: false, label: 'pack-check could not go on', note: (error as Error).message });
  } finally {
    await upstream?.close();
    if (opts.keep) process.stdout.write(`\nkept ${scratch}\n`);
    else await rm(scratch, { recursive: true, force: true });
  }
  process.stdout.write(`\n${report.summary()}`);
  return report.failed.length === 0 ? 0 : 1;
}

process.exitCode = await main();
