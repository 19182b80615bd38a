import type { QueryParams } from '@service-caller/core';
import {
  type MaskByKeyOptions,
  maskByKey,
  maskQueryValues,
  SECRET_MASK,
  type SecretNameTest,
  secretNames,
} from '@service-caller/core/adapter';

/** What a redacted value is shown as. */
export const REDACTED = SECRET_MASK;

/** Header values are logged as they are: only a secret key hides them. */
const asWritten = (text: string): string => text;

/**
 * Decides which header and query keys are secret (core's `secretNames`: the shared fragments
 * and this interceptor's `redact` list) and masks their values. One per
 * `LoggingInterceptor`; only ever called when a line is actually going to be written.
 */
export class Redactor {
  /** Whether a header or query key names a secret. */
  readonly isSensitive: SecretNameTest;
  /** JSON-ready copies (an unset value is left out, as the line's `JSON.stringify` would), values as written. */
  readonly #asJson: MaskByKeyOptions;

  /** @param extra additional key fragments to treat as secret (matched like the built-in ones). */
  constructor(extra: readonly string[] = []) {
    this.isSensitive = secretNames({ fragments: extra });
    this.#asJson = { isSecret: this.isSensitive, text: asWritten, json: true };
  }

  /** A copy of the headers with secret values replaced by `***`. */
  headers(
    headers: Readonly<Record<string, string | readonly string[] | undefined>>,
  ): Record<string, unknown> {
    return maskByKey(headers, this.#asJson) as Record<string, unknown>;
  }

  /** A plain-object copy of the query with secret values replaced by `***`; repeated keys become arrays. */
  query(query: QueryParams | URLSearchParams): Record<string, unknown> {
    if (!(query instanceof URLSearchParams)) {
      return maskByKey(query, this.#asJson) as Record<string, unknown>;
    }
    const out: Record<string, unknown> = {};
    for (const [key, value] of query) {
      const shown = this.isSensitive(key) ? REDACTED : value;
      const previous = out[key];
      if (previous === undefined) out[key] = shown;
      else if (Array.isArray(previous)) previous.push(shown);
      else out[key] = [previous, shown];
    }
    return out;
  }

  /** The text with the values of secret `key=value` query pairs replaced by `***`. */
  text(text: string): string {
    return maskQueryValues(text, this.isSensitive);
  }
}
