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

/** Where the seed gets installed: the user's cache, next to the pinned Node. */
export function seedVenvDir(): string {
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'service-caller', 'bench-venv');
}

/** The driver script the harness runs with the venv's Python. */
export const SEED_DRIVER = new URL('./python/seed_driver.py', import.meta.url).pathname;

/** Whether the seed can run, and with which interpreter. */
export type SeedStatus =
  | { readonly ready: true; readonly python: string }
  | { readonly ready: false; readonly reason: string };

/**
 * Finds or prepares the Python seed. An existing venv with the seed is used as is. Otherwise, when
 * `install` is true (full mode), a Python >= 3.12 is looked for (`BENCH_PYTHON`, pyenv versions,
 * `python3.13`/`python3.12`/`python3` on PATH), a venv is created and the pinned seed installed
 * from PyPI into it; when false (quick mode) the seed is skipped with the reason.
 */
export async function prepareSeed(install: boolean, log: (line: string) => void): Promise<SeedStatus> {
  const venv = seedVenvDir();
  const venvPython = join(venv, 'bin', 'python');
  if (existsSync(venvPython) && (await seedImportable(venvPython)))
    return { ready: true, python: venvPython };
  if (!install) {
    return {
      ready: false,
      reason: `not installed in ${venv} (quick mode does not install it; a full \`pnpm bench\` does)`,
    };
  }
  const base = await findPython();
  if (base === undefined) {
    return {
      ready: false,
      reason: `no Python >= ${MIN_PYTHON.join('.')} found (set BENCH_PYTHON to one to include the seed)`,
    };
  }
  log(`[bench] installing aio-service-caller==${SEED_VERSION} into ${venv} (with ${base})`);
  const created = await runChild(base, ['-m', 'venv', '--clear', venv], { timeoutMs: 120_000 });
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

async function findPython(): Promise<string | undefined> {
  const candidates: string[] = [];
  if (process.env.BENCH_PYTHON) candidates.push(process.env.BENCH_PYTHON);
  const pyenv = process.env.PYENV_ROOT || join(homedir(), '.pyenv');
  candidates.push(...pyenvVersions(pyenv).map((v) => join(pyenv, 'versions', v, 'bin', 'python')));
  candidates.push('python3.13', 'python3.12', 'python3');
  for (const candidate of candidates) {
    if (candidate.includes('/') && !existsSync(candidate)) continue;
    const probe = await runChild(candidate, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], {
      timeoutMs: 20_000,
    });
    if (probe.code !== 0) continue;
    const [major = 0, minor = 0] = probe.stdout.trim().split('.').map(Number);
    if (major > MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor >= MIN_PYTHON[1])) return candidate;
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
