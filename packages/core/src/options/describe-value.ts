/**
 * Whose vocabulary an option's error message speaks.
 *
 * - `yaml`: options that mirror a section of the YAML config. Nothing given reads `nothing`, an
 *   array `a list`, a flag `true or false`, a duration `a number of seconds > 0`.
 * - `code`: options only ever set in code. Nothing given reads `undefined`, an array `an array`,
 *   a flag `a boolean`, a duration `a positive, finite number of milliseconds`.
 */
export type OptionWording = 'yaml' | 'code';

/** Strings longer than this are cut in messages: a 1 MB value must not make a 1 MB error. */
const MAX_SHOWN = 80;

/**
 * Shows a bad option value in the `found` part of a `ConfigError`: strings quoted as JSON (cut
 * after 80 characters), numbers, booleans and `null` as written, anything else (arrays, objects,
 * functions) only by its kind, so a structure holding a secret is never printed. A value that is
 * itself a secret must not be passed here at all: report it as `***` (as
 * {@link OptionReader.secret} does), or use {@link describeKind}.
 *
 * @param value The value the user gave.
 * @param wording Whose vocabulary to use for `undefined` and arrays. @default 'yaml'
 * @example
 * ```ts
 * describeValue('yes'); // '"yes"'
 * describeValue(undefined); // 'nothing'
 * describeValue([1], 'code'); // 'an array'
 * describeValue({ password: 'x' }); // 'an object'
 * ```
 */
export function describeValue(value: unknown, wording: OptionWording = 'yaml'): string {
  if (value === undefined) return wording === 'yaml' ? 'nothing' : 'undefined';
  if (typeof value === 'string') {
    return JSON.stringify(value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}...` : value);
  }
  if (Array.isArray(value)) return wording === 'yaml' ? 'a list' : 'an array';
  return describeKind(value);
}

/**
 * Names what a value is without printing any text it holds, for messages about values that may
 * be secrets (a header, a token, a path parameter): numbers, booleans, `null` and `undefined` as
 * written, `an empty string` or `a string`, `an array`, `an object`, `a function`, `a bigint`...
 *
 * @example
 * ```ts
 * describeKind('hunter2'); // 'a string'
 * describeKind(42); // '42'
 * describeKind({ token: 'x' }); // 'an object'
 * ```
 */
export function describeKind(value: unknown): string {
  switch (typeof value) {
    case 'number':
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'string':
      return value.length === 0 ? 'an empty string' : 'a string';
    case 'object':
      if (value === null) return 'null';
      return Array.isArray(value) ? 'an array' : 'an object';
    default:
      return `a ${typeof value}`;
  }
}
