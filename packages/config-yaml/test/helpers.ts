import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, isConfigError, type Logger } from '@service-caller/core';
import { afterEach, expect } from 'vitest';

/** A password used in fixtures; no error message may ever contain it. */
export const SECRET = 'Y789uioJKL';

/**
 * Temp folders for config files, removed after each test. Call once at the top of a test file;
 * `make` writes the given files (name -> content) into a fresh folder and returns its path.
 */
export function useConfigDirs(): { make(files: Record<string, string | Uint8Array>): Promise<string> } {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return {
    async make(files) {
      const dir = await mkdtemp(join(tmpdir(), 'sc-config-'));
      dirs.push(dir);
      for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
      return dir;
    },
  };
}

/** A logger that keeps what it is given. */
export function recordingLogger(): Logger & {
  warnings: { message: string; fields?: Record<string, unknown> }[];
} {
  const warnings: { message: string; fields?: Record<string, unknown> }[] = [];
  const ignore = () => {};
  return {
    warnings,
    debug: ignore,
    info: ignore,
    error: ignore,
    warn(message, fields) {
      warnings.push({ message, ...(fields === undefined ? {} : { fields }) });
    },
  };
}

/** What a ConfigError must say; strings must match exactly, patterns must match. */
export interface ExpectedConfigError {
  file: string;
  keyPath: string;
  expected: string | RegExp;
  found: string | RegExp;
  /** Text the message must contain besides the fields (a hint). */
  hint?: string;
}

/**
 * Runs `run`, asserts it throws a `ConfigError` with these fields, and that none of `secrets`
 * (always including `SECRET`) appears in its message, its fields or its string form.
 */
export async function expectConfigError(
  run: () => unknown,
  fields: ExpectedConfigError,
  secrets: readonly string[] = [],
): Promise<ConfigError> {
  let caught: unknown;
  try {
    await run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  expect(isConfigError(caught)).toBe(true);
  const error = caught as ConfigError;
  expect(error.file).toBe(fields.file);
  expect(error.keyPath).toBe(fields.keyPath);
  if (typeof fields.expected === 'string') expect(error.expected).toBe(fields.expected);
  else expect(error.expected).toMatch(fields.expected);
  if (typeof fields.found === 'string') expect(error.found).toBe(fields.found);
  else expect(error.found).toMatch(fields.found);
  expect(error.message).toContain(error.file);
  expect(error.message).toContain(`expected ${error.expected}, found ${error.found}`);
  if (fields.hint !== undefined) expect(error.message).toContain(fields.hint);
  const everything = [
    error.message,
    String(error),
    error.file,
    error.keyPath,
    error.expected,
    error.found,
  ].join('\n');
  for (const secret of [SECRET, ...secrets]) expect(everything).not.toContain(secret);
  return error;
}
