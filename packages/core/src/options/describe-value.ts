/**
 * Whose vocabulary an option's error message speaks.
 *
 * - `yaml`: options that mirror a section of the YAML config. Nothing given reads `nothing`, an
 *   array `a list`, a flag `true or false`, a duration `a number of seconds > 0`.
 * - `code`: options only ever set in code. Nothing given reads `undefined`, an array `an array`,
 *   a flag `a boolean`, a duration `a positive, finite number of milliseconds`.
 */
export type OptionWording = 'yaml' | 'code';

/**
 * Shows a bad option value in the `found` part of a `ConfigError`: strings quoted as JSON,
 * numbers, booleans and `null` as written, anything else (arrays, objects, functions) only by its
 * kind, so a structure holding a secret is never printed. A value that is itself a secret must
 * not be passed here at all: report it as `***` (as {@link OptionReader.secret} does).
 *
 * @param value The value the user gave.
 * @param wording Whose vocabulary to use for `undefined` and arrays. @default 'yaml'
 * @example
 * ```ts
 * describeValue('yes'); // '"yes"'
 * describeValue(undefined); // 'nothing'
 * describeValue([1], 'code'); // 'an array'
 * describeValue({ password: 'x' }); // 'a object'
 * ```
 */
export function describeValue(value: unknown, wording: OptionWording = 'yaml'): string {
  if (value === undefined) return wording === 'yaml' ? 'nothing' : 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) return wording === 'yaml' ? 'a list' : 'an array';
  return `a ${typeof value}`;
}
