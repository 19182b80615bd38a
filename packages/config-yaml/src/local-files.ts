import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '@service-caller/core';
import type { Env } from './expand.js';
import { expandOne } from './expand-values.js';
import { type ExtendItem, parseExtendProfiles } from './extend-profiles.js';
import { type MergeOptions, mergeDocuments, type SourceDocument } from './merge.js';
import type { ConfigWarning } from './normalize-keys.js';
import { pickProfile } from './profile.js';
import { readYamlFile } from './yaml-file.js';

/** The local files of one config folder, parsed, in merge order. */
export interface LocalFiles {
  /** `application.yaml`, the profile's file, then each `extend-profiles` file. */
  readonly documents: readonly SourceDocument[];
  /** The profile used, or `undefined` for none. */
  readonly profile: string | undefined;
}

/** What {@link readLocalFiles} needs. */
export interface LocalFilesOptions extends MergeOptions {
  readonly dir: string;
  readonly profile: string | undefined;
  readonly extendProfiles: string | readonly string[] | undefined;
  readonly env: Env;
  /** What `file:` items are resolved against. */
  readonly cwd: string;
  /** What errors about the options name as the file. */
  readonly optionsSource: string;
  warn(warning: ConfigWarning): void;
}

const EXTENSIONS = ['.yaml', '.yml'] as const;

/**
 * Reads `application.yaml` (or `.yml`), picks the profile (see `pickProfile`) and reads its file,
 * then the `extend-profiles` files: the items of the merged base and profile files first, then
 * the option's, each later one winning. Every named file must exist.
 */
export async function readLocalFiles(options: LocalFilesOptions): Promise<LocalFiles> {
  const { dir, env } = options;
  await requireDirectory(dir);
  const baseFiles = await existing(dir, 'application');
  if (baseFiles.length === 0) {
    const others = await profilesIn(dir);
    throw new ConfigError({
      file: join(dir, 'application.yaml'),
      keyPath: '',
      expected: 'application.yaml (or application.yml) in the config folder',
      found: 'no such file',
      ...(others[0] === undefined
        ? {}
        : { hint: `application-${others[0]}.yaml exists, but a profile file only adds to application.yaml` }),
    });
  }
  const baseFile = onlyOne(baseFiles, dir, 'application');
  const documents: SourceDocument[] = [];
  const read = async (file: string, role: 'base' | 'profile' | 'extend') => {
    const data = await readYamlFile(file, (message) => options.warn({ message, file, keyPath: '' }));
    if (role !== 'base' && Object.hasOwn(data, 'profile')) {
      options.warn({
        message: `${file}: profile is not read here (only application.yaml's profile key selects a profile)`,
        file,
        keyPath: 'profile',
      });
    }
    if (role === 'extend' && Object.hasOwn(data, 'extend-profiles')) {
      options.warn({
        message: `${file}: extend-profiles in a file that extend-profiles named is not followed (list every file in application.yaml, the profile file or the option)`,
        file,
        keyPath: 'extend-profiles',
      });
    }
    documents.push({ file, data });
  };
  await read(baseFile, 'base');

  const { profile, origin } = pickProfile(options.profile, env, documents[0]!.data, {
    options: options.optionsSource,
    env: '<environment>',
    base: baseFile,
  });
  if (profile !== undefined) {
    const profileFiles = await existing(dir, `application-${profile}`);
    if (profileFiles.length === 0) {
      const others = await profilesIn(dir);
      throw new ConfigError({
        file: join(dir, `application-${profile}.yaml`),
        keyPath: '',
        expected: `the file of profile "${profile}": application-${profile}.yaml or .yml`,
        found: 'no such file',
        hint: `the profile comes from ${origin}; ${
          others.length === 0
            ? 'this folder has no profile files'
            : `profiles in this folder: ${others.join(', ')}`
        }`,
      });
    }
    await read(onlyOne(profileFiles, dir, `application-${profile}`), 'profile');
  }

  // The YAML's items come from the merged base and profile files, expanded like any value.
  const sofar = mergeDocuments(documents, options);
  const inYaml = sofar.root['extend-profiles'];
  const yamlFile = sofar.origins.get(sofar.root)?.get('extend-profiles') ?? baseFile;
  const expand = (value: unknown, path: (string | number)[]): unknown =>
    typeof value === 'string'
      ? expandOne(value, path, env, () => yamlFile)
      : Array.isArray(value)
        ? value.map((item, index) => expand(item, [...path, index]))
        : value;
  const items: ExtendItem[] = [
    ...parseExtendProfiles(
      expand(inYaml, ['extend-profiles']),
      { file: yamlFile, keyPath: 'extend-profiles' },
      options.cwd,
    ),
    ...parseExtendProfiles(
      options.extendProfiles,
      { file: options.optionsSource, keyPath: 'extendProfiles' },
      options.cwd,
    ),
  ];
  for (const item of items) {
    if (item.kind === 'file') {
      await read(item.path, 'extend').catch((error: unknown) => {
        throw listedIn(error, item.from);
      });
      continue;
    }
    const files = await existing(dir, `application-${item.name}`);
    if (files.length === 0) {
      throw new ConfigError({
        file: join(dir, `application-${item.name}.yaml`),
        keyPath: '',
        expected: `the file of extend-profiles item "${item.name}": application-${item.name}.yaml or .yml`,
        found: 'no such file',
        hint: `listed in extend-profiles of ${item.from}`,
      });
    }
    await read(onlyOne(files, dir, `application-${item.name}`), 'extend');
  }
  return { documents, profile };
}

/** A missing `file:` item's error, saying where it was listed. */
function listedIn(error: unknown, from: string): unknown {
  if (!(error instanceof ConfigError) || error.keyPath !== '' || error.found !== 'no such file') return error;
  return new ConfigError(
    {
      file: error.file,
      keyPath: '',
      expected: error.expected,
      found: error.found,
      hint: `listed as a file: item in extend-profiles of ${from}`,
    },
    { cause: error },
  );
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
