/** What a redacted query value is replaced with, as the semantic conventions spell it. */
export const REDACTED = 'REDACTED';

/**
 * Query keys whose values the HTTP semantic conventions say to redact in `url.full` by default
 * (signed-URL schemes of AWS, Azure and Google), matched case-sensitively as they ask.
 */
const SEMCONV_SENSITIVE_KEYS: readonly string[] = [
  'X-Amz-Signature',
  'X-Amz-Credential',
  'X-Amz-Security-Token',
  'AWSAccessKeyId',
  'Signature',
  'sig',
  'X-Goog-Signature',
];

/**
 * Fragments that mark a query key as secret beyond that list: keys are compared lower-cased with
 * `-` and `_` removed, so `access_token`, `API-KEY` and `apiKey` all match. The same fragments the
 * caller's `LoggingInterceptor` masks, so a key hidden in the logs is hidden in traces too.
 */
const SENSITIVE_FRAGMENTS: readonly string[] = [
  'password',
  'passwd',
  'pwd',
  'token',
  'secret',
  'apikey',
  'accesskey',
  'session',
  'credential',
  'auth',
  'signature',
];

/** Decisions are cached per key; the cap keeps a stream of random keys from growing it without end. */
const CACHE_LIMIT = 1000;

/** `?a=1&b=2` pairs inside a URL or a message. */
const QUERY_PAIR = /([?&;])([^=&;#?\s]+)=([^&;#\s]*)/g;

function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

/**
 * Masks the values of secret-looking query parameters, keeping their keys
 * (`/x?color=blue&sig=REDACTED`), in `url.full` and in status descriptions. One per interceptor.
 */
export class QueryRedactor {
  readonly #exact: ReadonlySet<string>;
  readonly #fragments: readonly string[];
  readonly #cache = new Map<string, boolean>();

  /** @param extraKeys more keys to treat as secret, matched like the fragments above. */
  constructor(extraKeys: readonly string[] = []) {
    this.#exact = new Set(SEMCONV_SENSITIVE_KEYS);
    this.#fragments = [...SENSITIVE_FRAGMENTS, ...extraKeys.map(normalizeKey).filter((f) => f.length > 0)];
  }

  /** Whether the values of query key `key` are secret. */
  isSensitive(key: string): boolean {
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached;
    const normalized = normalizeKey(key);
    const sensitive =
      this.#exact.has(key) || this.#fragments.some((fragment) => normalized.includes(fragment));
    if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
    this.#cache.set(key, sensitive);
    return sensitive;
  }

  /**
   * `text` with the value of every secret `key=value` query pair replaced by `REDACTED`; text
   * without a `=` comes back as it is, without a scan (the common URL without a query).
   */
  redact(text: string): string {
    if (!text.includes('=')) return text;
    return text.replace(QUERY_PAIR, (pair, separator: string, key: string) => {
      let name = key;
      try {
        name = decodeURIComponent(key);
      } catch {
        // A malformed escape: judge the key as written.
      }
      return this.isSensitive(name) ? `${separator}${key}=${REDACTED}` : pair;
    });
  }
}
