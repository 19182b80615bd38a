import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { ConfigError, consoleLogger, type Logger } from '@service-caller/core';
import { describeValue } from './describe-value.js';
import type { Env } from './expand.js';
import { mergeDocuments, originOf, type SourceDocument } from './merge.js';
import { type ConfigWarning, normalizeKeys } from './normalize-keys.js';
import { warningFields } from './parse-config.js';
import type { LoadedConfig } from './types.js';
import { validateConfig } from './validate.js';
import { readYamlFile } from './yaml-file.js';

/** Options of `loadConfig`. */
export interface LoadConfigOptions {
  /** The folder holding `application.yaml` (or `.yml`) and `application-{profile}.yaml`. */
  dir: string;
  /**
   * The profile whose file is merged over `application.yaml`; an empty string means none.
   * @default env.APP_PROFILE, else none
   */
  profile?: string;
  /** Variables for `${VAR}` expansion, and where `APP_PROFILE` is read. @default process.env */
  env?: Record<string, string | undefined>;
  /** Where warnings (unknown keys, YAML warnings) go; they are also returned. @default a console logger */
  logger?: Logger;
}

const OPTIONS_SOURCE = '<loadConfig options>';
const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const EXTENSIONS = ['.yaml', '.yml'] as const;

/**
 * Reads `application.yaml` (or `.yml`) from `dir`, merges `application-{profile}.yaml` (or
 * `.yml`) over it (maps deep-merged, lists replaced), expands `${VAR}` / `${VAR:default}` in the
 * string values of `service-caller` and `app-registry`, and validates the result.
 *
 * Other top-level keys belong to the application and are ignored, unless one looks like a
 * misspelt `service-caller` or `app-registry`; unknown keys inside those sections are warned about
 * with the nearest known key.
 *
 * @throws ConfigError naming the file the bad value came from, the key path as written in YAML,
 *   what was expected and what was found (secrets as `***`).
 * @example
 * ```ts
 * const { config, files, warnings } = await loadConfig({ dir: './config', profile: 'dev' });
 * ```
 */
export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  if (typeof options?.dir !== 'string' || options.dir === '') {
    throw new ConfigError({
      file: OPTIONS_SOURCE,
      keyPath: 'dir',
      expected: 'the path of the config folder',
      found: describeValue(options?.dir),
    });
  }
  const env: Env = options.env ?? process.env;
  const logger = options.logger ?? consoleLogger();
  const warnings: string[] = [];
  const warn = (warning: ConfigWarning) => {
    warnings.push(warning.message);
    logger.warn(warning.message, warningFields(warning));
  };

  const dir = resolve(options.dir);
  await requireDirectory(dir);
  const profile = pickProfile(options.profile, env, dir);
  const profileFiles = profile === undefined ? [] : await existing(dir, `application-${profile}`);
  const baseFiles = await existing(dir, 'application');

  if (baseFiles.length === 0) {
    throw new ConfigError({
      file: join(dir, 'application.yaml'),
      keyPath: '',
      expected: 'application.yaml (or application.yml) in the config folder',
      found: 'no such file',
      ...(profileFiles[0] === undefined
        ? {}
        : { hint: `${basename(profileFiles[0])} exists, but a profile file only adds to application.yaml` }),
    });
  }
  const files = [onlyOne(baseFiles, dir, 'application')];
  if (profile !== undefined) {
    if (profileFiles.length === 0) {
      const others = await profilesIn(dir);
      throw new ConfigError({
        file: join(dir, `application-${profile}.yaml`),
        keyPath: '',
        expected: `the file of profile "${profile}": application-${profile}.yaml or .yml`,
        found: 'no such file',
        hint: `the profile comes from ${options.profile === undefined ? 'APP_PROFILE' : 'the profile option'}; ${
          others.length === 0
            ? 'this folder has no profile files'
            : `profiles in this folder: ${others.join(', ')}`
        }`,
      });
    }
    files.push(onlyOne(profileFiles, dir, `application-${profile}`));
  }

  const documents: SourceDocument[] = [];
  for (const file of files) {
    const data = await readYamlFile(file, (message) => warn({ message, file, keyPath: '' }));
    documents.push({ file, data });
  }
  const tree = mergeDocuments(documents);
  const fileOf = (path: readonly (string | number)[]) => originOf(tree, path);
  const { tree: normalized, expandedFrom } = normalizeKeys(tree.root, {
    style: 'yaml',
    env,
    lenientTopLevel: true,
    fileOf,
    warn,
  });
  const config = validateConfig(normalized, { style: 'yaml', raw: tree.root, expandedFrom, fileOf });
  return { config, files, profile, warnings };
}

async function requireDirectory(dir: string): Promise<void> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(dir)).isDirectory();
  } catch (cause) {
    const code = (cause as { code?: unknown }).code;
    throw new ConfigError(
      {
        file: dir,
        keyPath: '',
        expected: 'a folder holding application.yaml',
        found:
          code === 'ENOENT' || code === 'ENOTDIR'
            ? 'no such folder'
            : `an error reading it (${String(code)})`,
      },
      { cause },
    );
  }
  if (!isDirectory) {
    throw new ConfigError({
      file: dir,
      keyPath: '',
      expected: 'a folder holding application.yaml',
      found: 'a file, not a folder',
    });
  }
}

function pickProfile(option: string | undefined, env: Env, dir: string): string | undefined {
  const fromOption = option !== undefined;
  const value = fromOption ? option : env.APP_PROFILE;
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !PROFILE_NAME.test(value) || value.includes('..')) {
    throw new ConfigError({
      file: fromOption ? OPTIONS_SOURCE : dir,
      keyPath: fromOption ? 'profile' : 'APP_PROFILE',
      expected: 'a profile name of letters, digits, ".", "_" and "-" (it becomes part of a file name)',
      found: describeValue(value),
    });
  }
  return value;
}

/** Which of `<stem>.yaml` and `<stem>.yml` exist in `dir`. */
async function existing(dir: string, stem: string): Promise<string[]> {
  const found: string[] = [];
  for (const extension of EXTENSIONS) {
    const file = join(dir, `${stem}${extension}`);
    try {
      await stat(file);
      found.push(file);
    } catch (cause) {
      const code = (cause as { code?: unknown }).code;
      if (code === 'ENOENT') continue;
      throw new ConfigError(
        { file, keyPath: '', expected: 'a readable file', found: `an error reading it (${String(code)})` },
        { cause },
      );
    }
  }
  return found;
}

function onlyOne(files: readonly string[], dir: string, stem: string): string {
  if (files.length > 1) {
    throw new ConfigError({
      file: dir,
      keyPath: '',
      expected: `one of ${stem}.yaml and ${stem}.yml`,
      found: 'both',
      hint: 'merge them into one file',
    });
  }
  return files[0]!;
}

/** The profiles that have a file in `dir`, for the "no such profile" hint. */
async function profilesIn(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .map((name) => /^application-(.+)\.ya?ml$/.exec(name)?.[1])
    .filter((name): name is string => name !== undefined)
    .sort()
    .slice(0, 10);
}
