import { ConfigError, consoleLogger, type Logger } from '@service-caller/core';
import { describeValue } from './describe-value.js';
import { isPlainMap } from './merge.js';
import { type ConfigWarning, normalizeKeys } from './normalize-keys.js';
import type { ServiceCallerConfig } from './types.js';
import { validateConfig } from './validate.js';

/** Options of `parseConfig`. */
export interface ParseConfigOptions {
  /** What errors and warnings name as the file. @default '<config object>' */
  source?: string;
  /** Where unknown-key warnings go. @default a console logger */
  logger?: Logger;
}

/**
 * Validates a camelCase config object (the `config` option of `ServiceManager.create`) and
 * applies the defaults. Unknown keys are warned about through `logger.warn`, with the nearest
 * known key; numbers and booleans given as strings are coerced where the key expects them.
 * The input is not modified. No `${VAR}` expansion happens here: the object comes from code.
 *
 * @throws ConfigError naming `source`, the camelCase key path, what was expected and what was
 *   found (secrets as `***`).
 * @example
 * ```ts
 * const config = parseConfig({ serviceCaller: { lbType: 'random' } });
 * config.serviceCaller.readTimeout; // 6
 * ```
 */
export function parseConfig(input: unknown, options: ParseConfigOptions = {}): ServiceCallerConfig {
  const source = options.source ?? '<config object>';
  if (!isPlainMap(input)) {
    throw new ConfigError({
      file: source,
      keyPath: '',
      expected: 'a config object like { serviceCaller: {...}, appRegistry: {...} }',
      found: describeValue(input),
    });
  }
  const logger = options.logger ?? consoleLogger();
  const fileOf = () => source;
  const tree = normalizeKeys(input, {
    style: 'camel',
    lenientTopLevel: false,
    fileOf,
    warn: (warning: ConfigWarning) => logger.warn(warning.message, warningFields(warning)),
  });
  return validateConfig(tree, { style: 'camel', raw: input, expandedFrom: new Map(), fileOf });
}

/** The structured part of a warning, for loggers that keep fields. */
export function warningFields(warning: ConfigWarning): Record<string, unknown> {
  return {
    file: warning.file,
    keyPath: warning.keyPath,
    ...(warning.suggestion === undefined ? {} : { suggestion: warning.suggestion }),
  };
}
