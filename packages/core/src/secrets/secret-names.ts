import { ConfigError } from '../errors/index.js';

/**
 * Fragments that mark a key (a header, a query parameter, a config or metadata key) as secret
 * when its normalized form contains one: lower-cased with `-`, `_`, `.` and white space removed,
 * so `api-key`, `API_KEY`, `apiKey` and `api.key` all contain `apikey`. The union of what the
 * caller's logs, the OpenTelemetry spans, the admin page and the config loader each hid before
 * they shared this list. `pass` covers `password`, `passwd` and `passphrase` (and errs on the
 * side of hiding a `bypass`: a masked harmless value costs a look elsewhere, a shown password costs more).
 */
export const SECRET_NAME_FRAGMENTS: readonly string[] = Object.freeze([
  'pass',
  'pwd',
  'token',
  'secret',
  'apikey',
  'accesskey',
  'privatekey',
  'credential',
  'session',
  'cookie',
  'auth',
  'signature',
]);

/** Decisions are cached per name; the cap keeps a stream of random names from growing it without end. */
const CACHE_LIMIT = 1000;

/** Decides whether a name names a secret. */
export type SecretNameTest = (name: string) => boolean;

/** Options of {@link secretNames}. */
export interface SecretNamesOptions {
  /**
   * More fragments, matched like {@link SECRET_NAME_FRAGMENTS} (normalized, as substrings), added
   * to the built-in ones, never replacing them. A fragment that normalizes to nothing is dropped
   * (it would match every name).
   */
  readonly fragments?: readonly string[];
  /** Names that are secret as they are written, compared case-sensitively (`sig` of signed URLs). */
  readonly exactNames?: readonly string[];
  /**
   * Also flag a name whose last word is `key` or `keys` (`key`, `encryption-key`, `SIGNING_KEY`,
   * `metadata-key`; not `keyPath`, `monkeys`, `turkey`). Off by default: config and
   * metadata hold harmless keys named so (`zone-affinity.metadata-key`, a `someKey` label), and
   * the logs and the config printout show them; the admin page turns it on and errs on hiding.
   * @default false
   */
  readonly lastWordKey?: boolean;
}

/** `name` lower-cased with `-`, `_`, `.` and white space removed. */
function normalizeSecretName(name: string): string {
  return name.toLowerCase().replace(/[-_.\s]/g, '');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function checkList(list: unknown, option: string): readonly string[] {
  if (list === undefined) return [];
  if (!Array.isArray(list) || !list.every((item) => typeof item === 'string')) {
    throw new ConfigError({
      file: '<options>',
      keyPath: `secretNames.${option}`,
      expected: 'a list of strings',
      found: Array.isArray(list) ? 'a list with a value that is not a string' : typeof list,
    });
  }
  return list;
}

/**
 * The test every package uses to decide which keys hide their values: a name is secret when its
 * normalized form contains one of {@link SECRET_NAME_FRAGMENTS} (or of `options.fragments`), when
 * it is one of `options.exactNames`, or, with `options.lastWordKey`, when its last word is `key`
 * or `keys`. Decisions are cached in the returned function (up to 1000 names), so a log line or
 * a span pays a map lookup per key.
 *
 * @throws {ConfigError} when `fragments` or `exactNames` is not a list of strings, or
 *   `lastWordKey` not a boolean.
 * @example
 * ```ts
 * const isSecret = secretNames({ fragments: ['x-tenant'], exactNames: ['sig'] });
 * isSecret('X_Tenant_Id'); // true
 * isSecret('page');        // false
 * ```
 */
export function secretNames(options: SecretNamesOptions = {}): SecretNameTest {
  const extra = checkList(options.fragments, 'fragments')
    .map(normalizeSecretName)
    .filter((fragment) => fragment.length > 0);
  const exact = new Set(checkList(options.exactNames, 'exactNames'));
  const fragments = new RegExp([...SECRET_NAME_FRAGMENTS, ...extra].map(escapeRegExp).join('|'));
  const keyWord = options.lastWordKey ?? false;
  if (typeof keyWord !== 'boolean') {
    throw new ConfigError({
      file: '<options>',
      keyPath: 'secretNames.lastWordKey',
      expected: 'true or false',
      found: typeof keyWord,
    });
  }
  const cache = new Map<string, boolean>();
  return (name) => {
    const cached = cache.get(name);
    if (cached !== undefined) return cached;
    const secret =
      exact.has(name) || fragments.test(normalizeSecretName(name)) || (keyWord && lastWordIsKey(name));
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(name, secret);
    return secret;
  };
}

function isSeparator(char: string | undefined): boolean {
  return char === '-' || char === '_' || char === '.' || (char !== undefined && /\s/.test(char));
}

/**
 * Whether the last word of `name` is `key` or `keys`. Written with string steps rather than a
 * regular expression, so a long name costs linear time.
 */
function lastWordIsKey(name: string): boolean {
  // camelCase words apart first, so `secretKey` ends in the word `key` and `monkeys` does not.
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
  const end = words.endsWith('keys') ? words.length - 4 : words.endsWith('key') ? words.length - 3 : -1;
  return end === 0 || (end > 0 && isSeparator(words[end - 1]));
}

/**
 * Whether `name` names a secret, by the built-in rules of {@link secretNames} (no extra fragments).
 *
 * @example
 * ```ts
 * isSecretName('db-password'); // true
 * isSecretName('api_key');     // true
 * isSecretName('lb-type');     // false
 * ```
 */
export const isSecretName: SecretNameTest = secretNames();
