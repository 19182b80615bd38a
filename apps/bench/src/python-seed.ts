import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { runChild } from './processes.js';

/**
 * The seed version the driver's discovery patch was written against. The driver wires the
 * seed's ServiceManager the way its `start()` does, so a newer seed may need the driver updated.
 */
export const SEED_VERSION = '0.1.15';
/** The seed needs Python >= 3.12 (its `Requires-Python`). */
const MIN_PYTHON: readonly [number, number] = [3, 12];

/**
 * Where the seed gets installed: the user's cache, next to the pinned Node, one venv per Python
 * minor version (`bench-venv-py3.12`), so that a venv made with another Python is never reused
 * under this one's name.
 */
export function seedVenvDir(version: string): string {
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'service-caller', `bench-venv-py${version}`);
}

/** The driver script the harness runs with the venv's Python. */
export const SEED_DRIVER = new URL('./python/seed_driver.py', import.meta.url).pathname;

/** Whether the seed can run, and with which interpreter. */
export type SeedStatus =
  | { readonly ready: true; readonly python: string }
  | { readonly ready: false; readonly reason: string };

/**
 * Finds or prepares the Python seed. The interpreter is looked for first (`BENCH_PYTHON`, then
 * 3.12 — pyenv's newest 3.12.x, `python3.12` — then newer ones: pyenv versions newest first,
 * `python3.13`, `python3`), 3.12 first as in `scripts/python-venv.sh`: it is the seed's own
 * minimum, the version #16's figures were taken on, and the one the project's pinned Python
 * requirements were resolved on. The venv for that interpreter's version is used when it holds
 * the seed. Otherwise, when `install` is true (full mode), the venv is created and the pinned
 * seed installed from PyPI into it; when false (quick mode) the seed is skipped with the reason.
 */
export async function prepareSeed(install: boolean, log: (line: string) => void): Promise<SeedStatus> {
  const base = await findPython();
  if (base === undefined) {
    return {
      ready: false,
      reason: `no Python >= ${MIN_PYTHON.join('.')} found (set BENCH_PYTHON to one to include the seed)`,
    };
  }
  const venv = seedVenvDir(base.version);
  const venvPython = join(venv, 'bin', 'python');
  if (existsSync(venvPython) && (await seedImportable(venvPython)))
    return { ready: true, python: venvPython };
  if (!install) {
    return {
      ready: false,
      reason: `not installed in ${venv} (quick mode does not install it; a full \`pnpm bench\` does)`,
    };
  }
  log(`[bench] installing aio-service-caller==${SEED_VERSION} into ${venv} (with ${base.python})`);
  const created = await runChild(base.python, ['-m', 'venv', '--clear', venv], { timeoutMs: 120_000 });
  if (created.code !== 0) {
    return { ready: false, reason: `could not create the venv: ${lastLine(created.stderr)}` };
  }
  const pip = await runChild(
    venvPython,
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', `aio-service-caller==${SEED_VERSION}`],
    { timeoutMs: 600_000 },
  );
  if (pip.code !== 0 || !(await seedImportable(venvPython))) {
    return {
      ready: false,
      reason: `pip install failed${pip.timedOut ? ' (timed out)' : ''}: ${lastLine(pip.stderr)}`,
    };
  }
  return { ready: true, python: venvPython };
}

async function seedImportable(python: string): Promise<boolean> {
  const probe = await runChild(python, ['-c', 'import aio_service_caller'], { timeoutMs: 60_000 });
  return probe.code === 0;
}

/** The first interpreter of {@link prepareSeed}'s order that runs and is >= 3.12, with its `major.minor`. */
async function findPython(): Promise<{ python: string; version: string } | undefined> {
  const candidates: string[] = [];
  if (process.env.BENCH_PYTHON) candidates.push(process.env.BENCH_PYTHON);
  const pyenv = process.env.PYENV_ROOT || join(homedir(), '.pyenv');
  const versions = pyenvVersions(pyenv);
  const inPyenv = (v: string) => join(pyenv, 'versions', v, 'bin', 'python');
  candidates.push(...versions.filter((v) => v.startsWith('3.12.')).map(inPyenv), 'python3.12');
  candidates.push(...versions.filter((v) => !v.startsWith('3.12.')).map(inPyenv), 'python3.13', 'python3');
  for (const candidate of candidates) {
    if (candidate.includes('/') && !existsSync(candidate)) continue;
    const probe = await runChild(candidate, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], {
      timeoutMs: 20_000,
    });
    if (probe.code !== 0) continue;
    const version = probe.stdout.trim();
    const [major = 0, minor = 0] = version.split('.').map(Number);
    if (major > MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor >= MIN_PYTHON[1])) {
      return { python: candidate, version };
    }
  }
  return undefined;
}

/** Installed pyenv versions that look like CPython 3.x, newest first (the probe checks the minimum). */
function pyenvVersions(root: string): string[] {
  let names: string[];
  try {
    names = readdirSync(join(root, 'versions'));
  } catch {
    return [];
  }
  const key = (v: string) => v.split('.').map(Number);
  return names
    .filter((v) => /^3\.\d+\.\d+$/.test(v))
    .sort((a, b) => {
      const [ka, kb] = [key(a), key(b)];
      return kb[1]! - ka[1]! || kb[2]! - ka[2]!;
    });
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1] || '(no output)';
}
