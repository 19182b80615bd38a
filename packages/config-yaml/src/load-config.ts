import { resolve } from 'node:path';
import {
  type ConfigDocument,
  ConfigError,
  type ConfigSource,
  consoleLogger,
  type Logger,
} from '@service-caller/core';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { type ComposeContext, compose } from './compose.js';
import { type CryptoOptions, createDecrypt } from './crypto/decryptor.js';
import { describeValue } from './describe-value.js';
import type { Env } from './expand.js';
import { type LocalFiles, readLocalFiles } from './local-files.js';
import type { SourceDocument } from './merge.js';
import type { ConfigWarning } from './normalize-keys.js';
import { warningFields } from './parse-config.js';
import { parseRemoteDocuments } from './remote-documents.js';
import { readSnapshot, saveSnapshot, snapshotFile } from './snapshot.js';
import type { DeepReadonly, LoadedConfig, NacosConfigSourceConfig } from './types.js';

/**
 * Makes the client of a config source from its validated `config-sources.<kind>` section. The
 * facade passes `nacosConfigSource` of `@service-caller/registry-nacos`.
 */
export type ConfigSourceFactory = (
  settings: NacosConfigSourceConfig & { logger: Logger },
) => ConfigSource | Promise<ConfigSource>;

/** Options of `loadConfig` and `watchConfig`. */
export interface LoadConfigOptions<Schema extends StandardSchemaV1 | undefined = undefined> {
  /** The folder holding `application.yaml` (or `.yml`) and `application-{profile}.yaml`. */
  dir: string;
  /**
   * The profile whose file is merged over `application.yaml`; an empty string means none.
   * @default env.APP_PROFILE, else env.SPRING_PROFILES_ACTIVE, else the `profile` key of application.yaml, else none
   */
  profile?: string;
  /**
   * More files merged over the base and profile files, after the YAML's own `extend-profiles`
   * items (so these win): a comma-separated string or a list; a name means
   * `application-{name}.yaml` in `dir`, `file:/path/x.yaml` that file (relative to `cwd`).
   * @example 'file:./demo.yaml,dev-ext'
   */
  extendProfiles?: string | readonly string[];
  /** When two files both set a list, concatenate them (the Python `config_merge_list`). @default false (replace) */
  mergeLists?: boolean;
  /** Unknown keys are errors instead of warnings. @default false */
  strict?: boolean;
  /**
   * The key for `{encrypted}` values. @default from SERVICE_CALLER_CRYPTO_ALGORITHM / _KEY / _MODE / _IV,
   *   else none (an `{encrypted}` value is then an error)
   */
  crypto?: CryptoOptions;
  /**
   * A Standard Schema (zod, valibot, arktype, ...) for the whole merged config, keys as written in
   * the YAML; `merged` is then its output. Its issues are `ConfigError`s like the loader's own.
   */
  schema?: Schema;
  /** Clients of the `config-sources` the files may name. @default none: `config-sources.nacos` is then an error */
  configSources?: { nacos?: ConfigSourceFactory };
  /** Variables for `${VAR}` expansion, the profile and the crypto key. @default process.env */
  env?: Record<string, string | undefined>;
  /** What relative `file:` items of `extend-profiles` are resolved against. @default process.cwd() */
  cwd?: string;
  /** Where warnings (unknown keys, YAML warnings) go; they are also returned. @default a console logger */
  logger?: Logger;
}

/** The whole merged config's type: the schema's output, else a read-only map. */
export type MergedOf<Schema> = Schema extends StandardSchemaV1
  ? DeepReadonly<StandardSchemaV1.InferOutput<Schema>>
  : DeepReadonly<Record<string, unknown>>;

const OPTIONS_SOURCE = '<loadConfig options>';

/**
 * Reads `application.yaml` (or `.yml`) from `dir`, merges the profile's file and the
 * `extend-profiles` files over it (maps deep-merged, lists replaced or, with `mergeLists`,
 * concatenated), expands `${VAR}` / `${VAR:default}`, decrypts `{encrypted}` values, fetches the
 * `config-sources` imports and merges them over, and validates the result.
 *
 * Top-level keys other than this project's belong to the application: they are in `merged`, and
 * warned about only when one looks like a misspelt key of ours; unknown keys inside our sections
 * are warned about with the nearest known key (errors with `strict`).
 *
 * @throws ConfigError naming the file the bad value came from, the key path as written in YAML,
 *   what was expected and what was found (secrets as `***`).
 * @example
 * ```ts
 * const { config, merged, files, warnings } = await loadConfig({ dir: './config', profile: 'dev' });
 * ```
 */
export async function loadConfig<Schema extends StandardSchemaV1 | undefined = undefined>(
  options: LoadConfigOptions<Schema>,
): Promise<LoadedConfig<MergedOf<Schema>>> {
  const opened = await openConfig(options);
  await opened.source?.close();
  return opened.loaded;
}

/** A loaded config and what it takes to load it again when a config source changes. */
export interface OpenedConfig<Merged> {
  loaded: LoadedConfig<Merged>;
  local: LocalFiles;
  context: ComposeContext;
  warnings: string[];
  logger: Logger;
  /** The source, open, when the files name one with imports. */
  source: ConfigSource | undefined;
  settings: NacosConfigSourceConfig | undefined;
  /** Where the snapshot goes, with `cache-dir`. */
  snapshot: { dir: string; file: string } | undefined;
}

/** Loads the config and leaves its config source open (for `watchConfig`). */
export async function openConfig<Schema extends StandardSchemaV1 | undefined>(
  options: LoadConfigOptions<Schema>,
): Promise<OpenedConfig<MergedOf<Schema>>> {
  if (typeof options?.dir !== 'string' || options.dir === '') {
    throw new ConfigError({
      file: OPTIONS_SOURCE,
      keyPath: 'dir',
      expected: 'the path of the config folder',
      found: describeValue(options?.dir),
    });
  }
  checkOptions(options);
  const env: Env = options.env ?? process.env;
  const logger = options.logger ?? consoleLogger();
  const warnings: string[] = [];
  const seen = new Set<string>();
  // One warning per problem, however often the config is composed again.
  const warn = (warning: ConfigWarning) => {
    if (seen.has(warning.message)) return;
    seen.add(warning.message);
    warnings.push(warning.message);
    logger.warn(warning.message, warningFields(warning));
  };
  const context: ComposeContext = {
    env,
    decrypt: await createDecrypt(options.crypto, env),
    strict: options.strict === true,
    schema: options.schema,
    mergeLists: options.mergeLists === true,
    warn,
  };
  const local = await readLocalFiles({
    dir: resolve(options.dir),
    profile: options.profile,
    extendProfiles: options.extendProfiles,
    env,
    cwd: options.cwd ?? process.cwd(),
    mergeLists: context.mergeLists,
    optionsSource: OPTIONS_SOURCE,
    warn,
  });
  // The local files' config-sources first: they say whether and where to fetch more.
  const first = await compose(local, [], context, warnings, true);
  const settings = first.config.configSources?.nacos;
  const opened: OpenedConfig<unknown> = {
    loaded: first,
    local,
    context,
    warnings,
    logger,
    source: undefined,
    settings,
    snapshot: undefined,
  };
  if (settings === undefined || settings.imports.length === 0) {
    opened.loaded = await compose(local, [], context, warnings);
    return opened as OpenedConfig<MergedOf<Schema>>;
  }

  const declaredIn = first.files[0]!;
  const factory = options.configSources?.nacos;
  if (factory === undefined) {
    throw new ConfigError({
      file: declaredIn,
      keyPath: 'config-sources.nacos',
      expected:
        'a Nacos config client: the configSources.nacos option (nacosConfigSource of @service-caller/registry-nacos)',
      found: 'none given',
      hint: 'ServiceManager.create passes it when @service-caller/registry-nacos is installed',
    });
  }
  const source = await factory({ ...settings, logger });
  opened.source = source;
  if (settings.cacheDir !== undefined) {
    const dir = resolve(settings.cacheDir);
    // The documents, not the servers: a snapshot made through one server address serves another.
    const identity = JSON.stringify([settings.namespace, settings.group, settings.imports]);
    opened.snapshot = { dir, file: snapshotFile(dir, identity) };
  }
  try {
    const documents = await fetchAtStart(source, settings, opened, declaredIn);
    opened.loaded = await compose(
      local,
      parseRemoteDocuments(documents, context.decrypt, warn),
      context,
      warnings,
    );
  } catch (error) {
    await source.close();
    throw error;
  }
  return opened as OpenedConfig<MergedOf<Schema>>;
}

/**
 * The documents at start: fetched within `start-timeout`, saved as the snapshot; when Nacos
 * cannot be had in time, the snapshot with a warning, or a `ConfigError` without one.
 */
async function fetchAtStart(
  source: ConfigSource,
  settings: NacosConfigSourceConfig,
  opened: OpenedConfig<unknown>,
  declaredIn: string,
): Promise<readonly ConfigDocument[]> {
  let documents: readonly ConfigDocument[];
  try {
    documents = await withDeadline((signal) => source.load(signal), settings.startTimeout * 1000);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const snapshot = opened.snapshot === undefined ? undefined : await readSnapshot(opened.snapshot.file);
    if (snapshot !== undefined) {
      const message = `${declaredIn}: config-sources.nacos: the imports could not be fetched within ${settings.startTimeout} s (${reason}); using the snapshot of ${snapshot.savedAt} from ${opened.snapshot!.file}`;
      opened.context.warn({ message, file: declaredIn, keyPath: 'config-sources.nacos' });
      return snapshot.documents;
    }
    throw new ConfigError(
      {
        file: declaredIn,
        keyPath: 'config-sources.nacos',
        expected: `the imports from Nacos within ${settings.startTimeout} s (start-timeout)`,
        found: reason,
        hint:
          opened.snapshot === undefined
            ? 'set cache-dir to start from the last snapshot when Nacos is down'
            : `no snapshot in ${opened.snapshot.dir} yet`,
      },
      { cause: error },
    );
  }
  if (opened.snapshot !== undefined) await writeSnapshot(opened, documents);
  return documents;
}

/** Saves the snapshot; a failure is a warning (the config itself is fine). */
export async function writeSnapshot(
  opened: OpenedConfig<unknown>,
  documents: readonly ConfigDocument[],
): Promise<void> {
  const { dir, file } = opened.snapshot!;
  try {
    await saveSnapshot(file, dir, documents);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    opened.logger.warn(
      `config-sources.nacos: could not save the snapshot ${file} (${String(code ?? error)})`,
      {
        file,
      },
    );
  }
}

/** Re-composes after a source change: the local files as read at start, the new documents over them. */
export async function recompose(
  opened: OpenedConfig<unknown>,
  documents: readonly ConfigDocument[],
): Promise<LoadedConfig<unknown>> {
  const remote: SourceDocument[] = parseRemoteDocuments(
    documents,
    opened.context.decrypt,
    opened.context.warn,
  );
  return compose(opened.local, remote, opened.context, opened.warnings);
}

/** How long a source may take to give up after its deadline, so its own reason is reported. */
const GIVE_UP_GRACE_MS = 1_000;

/**
 * Runs `run` with a signal that aborts after `ms`. A source that stops then rejects with its own
 * reason (the last failure: "Nacos cannot be reached ..."); one that does not is left behind
 * after a short grace, so the wait is bounded either way.
 */
async function withDeadline<T>(run: (signal: AbortSignal) => Promise<T>, ms: number): Promise<T> {
  const controller = new AbortController();
  const timers: NodeJS.Timeout[] = [];
  const deadline = new Promise<never>((_, reject) => {
    timers.push(
      setTimeout(() => {
        const reason = new Error(`no answer within ${ms / 1000} s`);
        controller.abort(reason);
        timers.push(setTimeout(() => reject(reason), GIVE_UP_GRACE_MS));
      }, ms),
    );
  });
  try {
    return await Promise.race([run(controller.signal), deadline]);
  } finally {
    for (const timer of timers) clearTimeout(timer);
  }
}

function checkOptions(options: LoadConfigOptions<StandardSchemaV1 | undefined>): void {
  const fail = (keyPath: string, expected: string, value: unknown) => {
    throw new ConfigError({ file: OPTIONS_SOURCE, keyPath, expected, found: describeValue(value) });
  };
  for (const flag of ['mergeLists', 'strict'] as const) {
    if (options[flag] !== undefined && typeof options[flag] !== 'boolean')
      fail(flag, 'true or false', options[flag]);
  }
  if (options.profile !== undefined && typeof options.profile !== 'string')
    fail('profile', 'a profile name', options.profile);
  const schema = options.schema as { '~standard'?: { validate?: unknown } } | undefined;
  if (schema !== undefined && typeof schema?.['~standard']?.validate !== 'function') {
    fail(
      'schema',
      'a Standard Schema (an object with ~standard.validate), e.g. a zod or valibot schema',
      schema,
    );
  }
  const factory = options.configSources?.nacos;
  if (factory !== undefined && typeof factory !== 'function')
    fail('configSources.nacos', 'a function', factory);
}
