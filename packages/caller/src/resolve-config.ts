import {
  type ConfigSourceFactory,
  type LiveConfig,
  parseConfig,
  type ServiceCallerConfig,
  watchConfig,
} from '@service-caller/config-yaml';
import { ConfigError, type ConfigSource, type Logger } from '@service-caller/core';
import type { ServiceManagerOptions } from './options.js';
import { importAdapterExport } from './registry-adapter.js';
import type { Wiring } from './wiring.js';

/** Where `ConfigError`s about the options themselves point. */
export const OPTIONS_SOURCE = '<ServiceManager options>';

/** The validated config and a name for where it came from, for later errors. */
export interface ResolvedConfig {
  readonly config: ServiceCallerConfig;
  /** The files read, `<config object>`, or `<defaults>`. */
  readonly source: string;
  /** The whole merged config (frozen), when it does not follow a config source. */
  readonly merged: unknown;
  /** The config that follows its config sources, from `configDir`; the manager closes it. */
  readonly live: LiveConfig<unknown> | undefined;
}

/** Turns `configDir` / `config` / neither into one validated config. */
export async function resolveConfig(
  options: ServiceManagerOptions<never>,
  logger: Logger,
  wiring: Wiring,
): Promise<ResolvedConfig> {
  const { configDir, config, profile } = options;
  if (configDir !== undefined && config !== undefined) {
    throw new ConfigError({
      file: OPTIONS_SOURCE,
      keyPath: 'configDir, config',
      expected: 'either configDir or config',
      found: 'both',
    });
  }
  if (profile !== undefined && configDir === undefined) {
    throw new ConfigError({
      file: OPTIONS_SOURCE,
      keyPath: 'profile',
      expected: 'profile only together with configDir (a profile selects application-{profile}.yaml)',
      found: config === undefined ? 'no configDir' : 'a config object',
    });
  }
  if (configDir !== undefined) {
    if (typeof configDir !== 'string' || configDir.length === 0) {
      throw new ConfigError({
        file: OPTIONS_SOURCE,
        keyPath: 'configDir',
        expected: 'a folder path',
        found: typeof configDir === 'string' ? 'an empty string' : typeof configDir,
      });
    }
    // The Nacos config client lives in the optional registry-nacos package, loaded only when the
    // files name config-sources.nacos.
    const nacos: ConfigSourceFactory = async (settings) => {
      const factory = await importAdapterExport(
        '@service-caller/registry-nacos',
        'nacosConfigSource',
        'config-sources.nacos',
        { source: configDir, wiring },
      );
      return (factory as unknown as (s: typeof settings) => ConfigSource)(settings);
    };
    const live = await watchConfig({
      dir: configDir,
      logger,
      configSources: { nacos },
      ...pick(options, ['profile', 'extendProfiles', 'mergeLists', 'strict', 'crypto', 'schema', 'env']),
    });
    // watchConfig has already sent its warnings to the logger.
    const { files } = live.current;
    return {
      config: live.current.config,
      source: files.length > 0 ? files.join(' + ') : configDir,
      merged: undefined,
      live,
    };
  }
  for (const key of ['extendProfiles', 'mergeLists', 'strict', 'crypto', 'schema'] as const) {
    if (options[key] !== undefined) {
      throw new ConfigError({
        file: OPTIONS_SOURCE,
        keyPath: key,
        expected: `${key} only together with configDir (it steers how the files are read)`,
        found: config === undefined ? 'no configDir' : 'a config object',
      });
    }
  }
  if (config !== undefined) {
    return {
      config: parseConfig(config, { source: '<config object>', logger }),
      source: '<config object>',
      merged: deepFreeze(structuredClone(config)),
      live: undefined,
    };
  }
  return {
    config: parseConfig({}, { source: '<defaults>', logger }),
    source: '<defaults>',
    merged: Object.freeze({}),
    live: undefined,
  };
}

function pick<T extends object, K extends keyof T>(object: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (object[key] !== undefined) out[key] = object[key];
  return out;
}

/** Freezes a plain tree all the way down. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
