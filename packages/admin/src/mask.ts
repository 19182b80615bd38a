/** What a secret is shown as, on the page and in the JSON. */
export const MASK = '***';

/**
 * Names that mark a secret, compared lower-cased with `-`, `_`, `.` and spaces removed, so
 * `db-password`, `accessToken`, `API_KEY` and `x-auth-token` all match. Errs on the side of
 * hiding: a masked harmless value costs a look at the config file, a shown password costs more.
 */
const SECRET_FRAGMENT =
  /pass(word|wd|phrase)?|pwd|secret|token|credential|apikey|accesskey|privatekey|signature|session|cookie|auth/;

/** The last word of a name is `key` or `keys` (`secretKey`, `encryption-key`); `keyPath` or `monkeys` are not secrets. */
const LAST_WORD_KEY = /(^|[-_.\s])keys?$/;

/** `?a=1&b=2` pairs in a URL-like string. */
const QUERY_PAIR = /([?&;])([^=&;#?\s]+)=([^&;#\s]*)/g;

/** `scheme://user:password@host`. */
const USER_INFO = /(\/\/)[^/@\s]*@/g;

function normalize(name: string): string {
  return name.toLowerCase().replace(/[-_.\s]/g, '');
}

/**
 * Whether a key (a config key, a metadata key, a query parameter's name) names a secret: one
 * that looks like a password, token, secret, key or credential.
 *
 * @example
 * ```ts
 * isSecretName('password');   // true
 * isSecretName('api-key');    // true
 * isSecretName('lb-type');    // false
 * ```
 */
export function isSecretName(name: string): boolean {
  // camelCase words apart first, so `secretKey` ends in the word `key` and `monkeys` does not.
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
  return SECRET_FRAGMENT.test(normalize(name)) || LAST_WORD_KEY.test(words);
}

/**
 * `text` with the user info of a URL (`//user:pass@`) and the values of secret-looking query
 * parameters (`?token=...`) replaced by `***`; other text as it is.
 */
export function maskText(text: string): string {
  let out = text.includes('@') ? text.replace(USER_INFO, `$1${MASK}@`) : text;
  if (out.includes('=')) {
    out = out.replace(QUERY_PAIR, (pair, separator: string, key: string) => {
      let name = key;
      try {
        name = decodeURIComponent(key);
      } catch {
        // A malformed escape: judge the key as written.
      }
      return isSecretName(name) ? `${separator}${key}=${MASK}` : pair;
    });
  }
  return out;
}

/**
 * A JSON-ready copy of `value` with every secret masked: the value of every key that
 * {@link isSecretName} flags, at any depth (a whole map or list below such a key included), is
 * `"***"`; strings elsewhere go through {@link maskText}. Functions and symbols are left out,
 * `undefined` becomes absent (as `JSON.stringify` does), a cycle is shown as `"[cycle]"`, and
 * `Map`s and `Set`s are shown as objects and lists (configs built by hand may hold them).
 */
export function maskSecrets(value: unknown): unknown {
  return maskValue(value, new Set());
}

function maskValue(value: unknown, path: Set<object>): unknown {
  if (typeof value === 'string') return maskText(value);
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object' || value === null) {
    return typeof value === 'boolean' || value === null ? value : undefined;
  }
  if (path.has(value)) return '[cycle]';
  path.add(value);
  try {
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
    if (value instanceof URL) return maskText(value.href);
    if (Array.isArray(value) || value instanceof Set) {
      return [...value].map((item) => maskValue(item, path) ?? null);
    }
    const entries: Iterable<[unknown, unknown]> =
      value instanceof Map ? value.entries() : Object.entries(value as Record<string, unknown>);
    const copy: Record<string, unknown> = {};
    for (const [rawName, item] of entries) {
      const name = String(rawName);
      const shown =
        isSecretName(name) && item !== undefined && item !== null && item !== ''
          ? MASK
          : maskValue(item, path);
      if (shown === undefined) continue;
      // defineProperty: a key named `__proto__` stays an own key instead of changing the prototype.
      Object.defineProperty(copy, name, {
        value: shown,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return copy;
  } finally {
    path.delete(value);
  }
}
