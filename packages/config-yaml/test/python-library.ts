import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCRIPTS = fileURLToPath(new URL('./python/', import.meta.url));

/** Time for the first run, which creates the venv with pip (CI runs it once per machine). */
export const PYTHON_SETUP_TIMEOUT = 600_000;

let python: Promise<string> | undefined;

/**
 * The interpreter of the venv holding the Python library (`scripts/python-venv.sh` creates it on
 * first use and prints its path). A failure fails the test: these tests are never skipped.
 */
export function pythonLibrary(): Promise<string> {
  python ??= run('bash', [`${ROOT}scripts/python-venv.sh`], { timeout: PYTHON_SETUP_TIMEOUT }).then(
    ({ stdout }) => stdout.trim(),
  );
  return python;
}

/** Runs one of `test/python/*.py` with a JSON request and returns its JSON answer. */
export async function runPython<T>(
  script: 'encrypt.py' | 'effective_config.py',
  request: unknown,
  env: Record<string, string> = {},
): Promise<T> {
  const interpreter = await pythonLibrary();
  const { stdout } = await run(interpreter, [`${SCRIPTS}${script}`, JSON.stringify(request)], {
    timeout: 60_000,
    // Only what the script needs: the tests control every variable it could read.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
  });
  return JSON.parse(stdout) as T;
}

/** What `encrypt.py` answers. */
export interface PythonCiphertexts {
  sm4_key: string;
  sm4_iv: string;
  sm2_private_key: string;
  sm4_ecb: string[];
  sm4_cbc: string[];
  sm4_hex: string[];
  sm2: string[];
}
