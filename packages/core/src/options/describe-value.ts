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
 * How {@link describeValue} words a value: an {@link OptionWording}, or `call` for a call's own
 * arguments as the engine's request checks report them: like `code`, and also saying what kind
 * of string or object it was (`the string "x"`, `an object (Map)`), since a caller who passed a
 * `Map` for headers needs to read "Map".
 */
export type ValueWording = OptionWording | 'call';

/** How a string value is quoted: JSON's double quotes (the default) or single quotes, for names. */
export type QuoteStyle = 'double' | 'single';

/** Strings longer than this are cut in messages: a 1 MB value must not make a 1 MB error. */
const MAX_SHOWN = 80;

/**
 * `text` cut after 80 characters (`...` marks the cut), for a name or a value a message shows
 * unquoted (a method, a service name): a 1 MB value must not make a 1 MB error.
 */
export function shorten(text: string): string {
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}...` : text;
}

function quoted(text: string, quote: QuoteStyle): string {
  const shown = shorten(text);
  return quote === 'single' ? `'${shown}'` : JSON.stringify(shown);
}

/**
 * Shows a bad option value in the `found` part of a `ConfigError` (or of an `InvalidRequestError`
 * about a call's own argument): strings quoted (cut after 80 characters), numbers, booleans and
 * `null` as written, anything else (arrays, objects, functions) only by its kind, so a structure
 * holding a secret is never printed. A value that is itself a secret must not be passed here at
 * all: report it as `***` (as {@link OptionReader.secret} does), or use {@link describeKind}.
 *
 * @param value The value the user gave.
 * @param wording Whose vocabulary to use for `undefined`, arrays, strings and objects. @default 'yaml'
 * @param quote How strings are quoted: `double` (JSON) or `single` (names: `'round-robin'`). @default 'double'
 * @example
 * ```ts
 * describeValue('yes'); // '"yes"'
 * describeValue(undefined); // 'nothing'
 * describeValue([1], 'code'); // 'an array'
 * describeValue({ password: 'x' }); // 'an object'
 * describeValue(new Map(), 'call'); // 'an object (Map)'
 * describeValue('round-robin', 'code', 'single'); // "'round-robin'"
 * ```
 */
export function describeValue(
  value: unknown,
  wording: ValueWording = 'yaml',
  quote: QuoteStyle = 'double',
): string {
  if (value === undefined) return wording === 'yaml' ? 'nothing' : 'undefined';
  if (typeof value === 'string') {
    if (wording !== 'call') return quoted(value, quote);
    return value.length === 0 ? 'an empty string' : `the string ${quoted(value, quote)}`;
  }
  if (Array.isArray(value)) return wording === 'yaml' ? 'a list' : 'an array';
  if (wording === 'call') {
    if (typeof value === 'object' && value !== null) {
      return `an object (${(value as object).constructor?.name ?? 'no prototype'})`;
    }
    // The engine's messages have always named other kinds by their typeof: `found function`.
    if (typeof value !== 'number' && typeof value !== 'boolean' && value !== null) return typeof value;
  }
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
