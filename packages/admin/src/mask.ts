import {
  maskByKey,
  maskQueryValues,
  maskUserInfo,
  SECRET_MASK,
  secretNames,
} from '@service-caller/core/adapter';

/** What a secret is shown as, on the page and in the JSON. */
export const MASK = SECRET_MASK;

/** Core's test with its last-word rule on: a page for people errs on hiding a `signing-key` too. */
const secretName = secretNames({ lastWordKey: true });

/**
 * Whether a key (a config key, a metadata key, a query parameter's name) names a secret: one
 * that looks like a password, token, secret, key or credential. Core's `secretNames` test (from
 * `@service-caller/core/adapter`: the fragments the logs, the spans and the config loader use
 * too), with its rule that a last word `key` or `keys` (`encryption-key`, `key`) names a secret.
 *
 * @example
 * ```ts
 * isSecretName('password');   // true
 * isSecretName('api-key');    // true
 * isSecretName('lb-type');    // false
 * ```
 */
export function isSecretName(name: string): boolean {
  return secretName(name);
}

/**
 * `text` with the user info of a URL (`//user:pass@`) and the values of secret-looking query
 * parameters (`?token=...`) replaced by `***`; other text as it is.
 */
export function maskText(text: string): string {
  return maskQueryValues(maskUserInfo(text, MASK), secretName, MASK);
}

/**
 * A JSON-ready copy of `value` with every secret masked: the value of every key that
 * {@link isSecretName} flags, at any depth (a whole map or list below such a key included), is
 * `"***"` (an empty string stays empty: it says the secret is unset); strings elsewhere go
 * through {@link maskText}. Functions and symbols are left out, `undefined` becomes absent (as
 * `JSON.stringify` does), a cycle is shown as `"[cycle]"`, and `Map`s and `Set`s are shown as
 * objects and lists (configs built by hand may hold them).
 */
export function maskSecrets(value: unknown): unknown {
  return maskByKey(value, { isSecret: secretName, json: true, keepEmpty: true, mask: MASK, text: maskText });
}
