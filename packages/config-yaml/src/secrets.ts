import { isSecretName, maskByKey, maskUserInfo, SECRET_MASK } from '@service-caller/core/adapter';

/** What a secret is shown as, everywhere. */
export const REDACTED = SECRET_MASK;

/**
 * Whether a key names a secret: `password`, `token`, `secret-key`, and anything that looks like
 * one (`db-password`, `authToken`, `api_key`), in any case style; a list index never does. Core's
 * `isSecretName`, the test the logs, the spans and the admin page use too. Errs on the side of hiding.
 */
export function isSecretKey(name: string | number): boolean {
  return typeof name === 'string' && isSecretName(name);
}

/** `scheme://user:password@host` with the user info hidden. */
export function redactUserInfo(value: string): string {
  return maskUserInfo(value, REDACTED);
}

/**
 * A copy of the config with every secret replaced by `'***'`, for printing (`service-caller
 * config`, logs). Secrets are found by key name at any depth, so a `db-password` inside
 * `metadata` is hidden too, and user info in a URL-like string is hidden. Works on the typed
 * config and on the whole merged config (`merged`) alike.
 */
export function redactConfig<T>(config: T): T {
  return maskByKey(config, { mask: REDACTED, text: redactUserInfo }) as T;
}
