import type { QueryParams } from '@service-caller/core';

/** What a redacted value is shown as. */
export const REDACTED = '***';

/** Header names that always carry credentials, whatever their spelling. */
const SENSITIVE_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

/**
 * Fragments that mark a header or query key as secret. Keys are compared lower-cased with `-` and
 * `_` removed, so `api-key`, `API_KEY` and `apikey` all match `apikey`.
 */
const SENSITIVE_FRAGMENTS = [
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
];

/** Decisions are cached per key; the cap keeps a stream of random keys from growing it without end. */
const CACHE_LIMIT = 1000;

/** `?a=1&b=2` pairs inside a URL, a path or an error message. */
const QUERY_PAIR = /([?&;])([^=&;#?\s]+)=([^&;#\s]*)/g;

function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

/**
 * Decides which header and query keys are secret and masks their values. One per
 * `LoggingInterceptor`; only ever called when a line is actually going to be written.
 */
export class Redactor {
  readonly #fragments: readonly string[];
  readonly #cache = new Map<string, boolean>();

  /** @param extra additional key fragments to treat as secret (matched like the built-in ones). */
  constructor(extra: readonly string[] = []) {
    this.#fragments = [...SENSITIVE_FRAGMENTS, ...extra.map(normalizeKey).filter((f) => f.length > 0)];
  }

  /** Whether a header or query key names a secret (case-insensitive substring match). */
  isSensitive(key: string): boolean {
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached;
    const lower = key.toLowerCase();
    const normalized = normalizeKey(key);
    const sensitive =
      SENSITIVE_HEADERS.has(lower) || this.#fragments.some((fragment) => normalized.includes(fragment));
    if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
    this.#cache.set(key, sensitive);
    return sensitive;
  }

  /** A copy of the headers with secret values replaced by `***`. */
  headers(
    headers: Readonly<Record<string, string | readonly string[] | undefined>>,
  ): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(headers)) {
      const value = headers[key];
      if (value === undefined) continue;
      out[key] = this.isSensitive(key) ? REDACTED : value;
    }
    return out;
  }

  /** A plain-object copy of the query with secret values replaced by `***`; repeated keys become arrays. */
  query(query: QueryParams | URLSearchParams): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (query instanceof URLSearchParams) {
      for (const [key, value] of query) {
        const shown = this.isSensitive(key) ? REDACTED : value;
        const previous = out[key];
        if (previous === undefined) out[key] = shown;
        else if (Array.isArray(previous)) previous.push(shown);
        else out[key] = [previous, shown];
      }
      return out;
    }
    for (const key of Object.keys(query)) {
      const value = query[key];
      if (value === undefined) continue;
      out[key] = this.isSensitive(key) ? REDACTED : value;
    }
    return out;
  }

  /** The text with the values of secret `key=value` query pairs replaced by `***`. */
  text(text: string): string {
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
