import type { Logger } from '../contracts/logger.js';
import { ConfigError } from '../errors/index.js';
import { describeValue } from '../options/describe-value.js';

/** The levels of `consoleLogger`, least to most severe. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const RANK: Readonly<Record<string, number>> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

function noop(): void {}

/**
 * A `Logger` that writes to `console`, dropping messages below `level`. Messages are prefixed
 * with `[service-caller]`; `fields` are passed as a second argument so objects print in full.
 *
 * @param level The least severe level written. @default 'warn'
 * @example
 * ```ts
 * createCallEngine({ ..., logger: consoleLogger('debug') });
 * ```
 */
export function consoleLogger(level: LogLevel = 'warn'): Logger {
  const rank = Object.hasOwn(RANK, level) ? RANK[level] : undefined;
  if (rank === undefined) {
    throw new ConfigError({
      file: '<consoleLogger>',
      keyPath: 'level',
      expected: `one of ${Object.keys(RANK).join(', ')}`,
      found: describeValue(level, 'code', 'single'),
    });
  }
  // Methods are bound once here, not looked up per message; below the level they are no-ops.
  const write = (method: 'debug' | 'info' | 'warn' | 'error', min: number) =>
    rank <= min
      ? (message: string, fields?: Record<string, unknown>) => {
          if (fields === undefined) console[method](`[service-caller] ${message}`);
          else console[method](`[service-caller] ${message}`, fields);
        }
      : noop;
  return {
    debug: write('debug', 10),
    info: write('info', 20),
    warn: write('warn', 30),
    error: write('error', 40),
    isLevelEnabled: (wanted) => rank <= (RANK[wanted] ?? 0),
  };
}

/** A `Logger` that drops everything. */
export const silentLogger: Logger = Object.freeze({
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  isLevelEnabled: () => false,
});
