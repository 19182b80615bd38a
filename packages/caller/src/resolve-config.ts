import { loadConfig, parseConfig, type ServiceCallerConfig } from '@service-caller/config-yaml';
import { ConfigError, type Logger } from '@service-caller/core';
import type { ServiceManagerOptions } from './options.js';

/** Where `ConfigError`s about the options themselves point. */
export const OPTIONS_SOURCE = '<ServiceManager options>';

/** The validated config and a name for where it came from, for later errors. */
export interface ResolvedConfig {
  readonly config: ServiceCallerConfig;
  /** The files read, `<config object>`, or `<defaults>`. */
  readonly source: string;
}

/** Turns `configDir` / `config` / neither into one validated config. */
export async function resolveConfig(options: ServiceManagerOptions, logger: Logger): Promise<ResolvedConfig> {
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
    const loaded = await loadConfig({
      dir: configDir,
      logger,
      ...(profile === undefined ? {} : { profile }),
      ...(options.env === undefined ? {} : { env: options.env }),
    });
    // loadConfig has already sent its warnings to the logger.
    return { config: loaded.config, source: loaded.files.length > 0 ? loaded.files.join(' + ') : configDir };
  }
  if (config !== undefined) {
    return { config: parseConfig(config, { source: '<config object>', logger }), source: '<config object>' };
  }
  return { config: parseConfig({}, { source: '<defaults>', logger }), source: '<defaults>' };
}
