import { ConfigError } from '../errors/index.js';
import { describeValue, type OptionWording } from './describe-value.js';

/** How {@link optionReader} names keys and words its messages. */
export interface OptionReaderOptions {
  /**
   * Dotted key path the keys are read under, as written in YAML, e.g. `app-registry.consul`:
   * key `port` is then reported as `app-registry.consul.port`, and key `''` as the prefix itself.
   * @default '' (keys are reported as given)
   */
  keyPrefix?: string;
  /** Whose vocabulary messages speak; see {@link OptionWording}. @default 'yaml' */
  wording?: OptionWording;
  /**
   * Refuse strings of whitespace only, as well as the empty string, where a non-empty string is
   * expected: for values a server would read as missing.
   * @default false
   */
  rejectBlankStrings?: boolean;
}

/**
 * Checks user options one value at a time and throws a `ConfigError` that names the file, the
 * key path, what was expected and what was found. Every checker but `oneOf` lets `undefined`
 * through as the `fallback` when one is given, else as `undefined`; `null` is a wrong value like
 * any other.
 * Made by {@link optionReader}.
 */
export interface OptionReader {
  /** The file named in errors. */
  readonly file: string;
  /** The full key path of `key`, as errors name it. */
  keyPath(key: string): string;
  /** Shows `value` as errors do, in this reader's wording; see {@link describeValue}. */
  describe(value: unknown): string;
  /**
   * A `ConfigError` for `key` (throw it), showing `value` with {@link OptionReader.describe}. For
   * checks no checker covers; never pass a secret as `value`.
   */
  error(key: string, expected: string, value: unknown, hint?: string): ConfigError;
  /** A non-empty string (see {@link OptionReaderOptions.rejectBlankStrings}). */
  string(value: unknown, key: string): string | undefined;
  string(value: unknown, key: string, fallback: string): string;
  /** A string, possibly empty, that is a secret: a wrong value is reported as `***`, never shown. */
  secret(value: unknown, key: string): string | undefined;
  /** `true` or `false`. */
  boolean(value: unknown, key: string): boolean | undefined;
  boolean(value: unknown, key: string, fallback: boolean): boolean;
  /** An integer TCP port, 1 to 65535. */
  port(value: unknown, key: string): number | undefined;
  port(value: unknown, key: string, fallback: number): number;
  /** An integer of 1 or more. */
  positiveInteger(value: unknown, key: string): number | undefined;
  positiveInteger(value: unknown, key: string, fallback: number): number;
  /** A finite number of seconds above 0 (fractions allowed), returned as given: in seconds. */
  seconds(value: unknown, key: string): number | undefined;
  seconds(value: unknown, key: string, fallback: number): number;
  /** A finite number of milliseconds above 0 (fractions allowed). */
  milliseconds(value: unknown, key: string): number | undefined;
  milliseconds(value: unknown, key: string, fallback: number): number;
  /**
   * One of `choices`, compared with `===`; messages list them quoted: `'a' or 'b'`,
   * `one of 'a', 'b', 'c'`. Unlike the other checkers it refuses `undefined`: apply the default
   * first (`options.mode ?? 'auto'`).
   */
  oneOf<const T extends string>(value: unknown, key: string, choices: readonly T[]): T;
}

// The words that differ between the YAML-facing and the code-facing options.
const EXPECTED: Record<OptionWording, { boolean: string; positive: (unit: string) => string }> = {
  yaml: { boolean: 'true or false', positive: (unit) => `a number of ${unit} > 0` },
  code: { boolean: 'a boolean', positive: (unit) => `a positive, finite number of ${unit}` },
};

const isPositiveFinite = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value > 0;

/**
 * Makes the checkers an adapter reads its options with, so every adapter fails the same way: a
 * `ConfigError` whose message reads `<file>: <key path>: expected <what>, found <value>`.
 *
 * @param file What the options came from, e.g. `<consulRegistry options>`.
 * @param options Key prefix and wording; see {@link OptionReaderOptions}.
 * @example
 * ```ts
 * const read = optionReader('<myRegistry options>', { keyPrefix: 'app-registry.my' });
 * const host = read.string(options.host, 'host', '127.0.0.1');
 * const port = read.port(options.port, 'port', 8500);
 * const token = read.secret(options.token, 'token');
 * if (options.weight !== undefined && options.weight > 100) {
 *   throw read.error('weight', 'a number up to 100', options.weight);
 * }
 * ```
 */
export function optionReader(file: string, options: OptionReaderOptions = {}): OptionReader {
  const prefix = options.keyPrefix ?? '';
  const wording = options.wording ?? 'yaml';
  const rejectBlank = options.rejectBlankStrings ?? false;
  const words = EXPECTED[wording];

  const keyPath = (key: string) => (prefix && key ? `${prefix}.${key}` : prefix || key);
  const describe = (value: unknown) => describeValue(value, wording);
  const error = (key: string, expected: string, value: unknown, hint?: string) =>
    new ConfigError({ file, keyPath: keyPath(key), expected, found: describe(value), hint });

  // Builds a checker: `undefined` gives the fallback, anything else must pass `accepts`.
  const checker =
    <T>(accepts: (value: unknown) => value is T, expected: string) =>
    (value: unknown, key: string, fallback?: T): T | undefined => {
      if (value === undefined) return fallback;
      if (!accepts(value)) throw error(key, expected, value);
      return value;
    };

  const isWantedString = (value: unknown): value is string =>
    typeof value === 'string' && (rejectBlank ? value.trim() !== '' : value !== '');
  const isPort = (value: unknown): value is number =>
    typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
  const isPositiveInteger = (value: unknown): value is number =>
    typeof value === 'number' && Number.isInteger(value) && value >= 1;

  return {
    file,
    keyPath,
    describe,
    error,
    string: checker(isWantedString, 'a non-empty string') as OptionReader['string'],
    secret(value, key) {
      if (value === undefined || typeof value === 'string') return value;
      // Never echo the value: it is meant to be a secret.
      throw new ConfigError({ file, keyPath: keyPath(key), expected: 'a string', found: '***' });
    },
    boolean: checker((v): v is boolean => typeof v === 'boolean', words.boolean) as OptionReader['boolean'],
    port: checker(isPort, 'an integer port 1-65535') as OptionReader['port'],
    positiveInteger: checker(isPositiveInteger, 'a positive integer') as OptionReader['positiveInteger'],
    seconds: checker(isPositiveFinite, words.positive('seconds')) as OptionReader['seconds'],
    milliseconds: checker(isPositiveFinite, words.positive('milliseconds')) as OptionReader['milliseconds'],
    oneOf<T extends string>(value: unknown, key: string, choices: readonly T[]) {
      if (!choices.includes(value as T)) throw error(key, listChoices(choices), value);
      return value as T;
    },
  } as OptionReader;
}

function listChoices(choices: readonly string[]): string {
  const quoted = choices.map((choice) => `'${choice}'`);
  if (quoted.length <= 2) return quoted.join(' or ');
  return `one of ${quoted.join(', ')}`;
}
