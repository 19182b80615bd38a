/** What a secret is shown as, everywhere. */
export const REDACTED = '***';

const SECRET_NAME = /pass(word|wd|phrase)?|pwd|secret|token|credential|apikey|accesskey|privatekey|auth/;

/**
 * Whether a key names a secret: `password`, `token`, `secret-key`, and anything that looks like
 * one (`db-password`, `authToken`, `api_key`), in any case style. Errs on the side of hiding.
 */
export function isSecretKey(name: string | number): boolean {
  return typeof name === 'string' && SECRET_NAME.test(name.toLowerCase().replace(/[-_.\s]/g, ''));
}

/** `scheme://user:password@host` with the user info hidden. */
export function redactUserInfo(value: string): string {
  return value.replace(/(\/\/)[^@\s]*@/g, `$1${REDACTED}@`);
}

/**
 * A copy of the config with every secret replaced by `'***'`, for printing (`service-caller
 * config`, logs). Secrets are found by key name at any depth, so a `db-password` inside
 * `metadata` is hidden too, and user info in a URL-like string is hidden. Works on the typed
 * config and on the whole merged config (`merged`) alike.
 */
export function redactConfig<T>(config: T): T {
  return redactValue(config, new WeakSet()) as T;
}

function redactValue(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactUserInfo(value);
  if (typeof value !== 'object' || value === null) return value;
  // A hand-built config could be cyclic; a cycle is printed once.
  if (seen.has(value)) return '[cycle]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, seen));
  const copy: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(value)) {
    const redacted =
      isSecretKey(name) && item !== undefined && item !== null ? REDACTED : redactValue(item, seen);
    Object.defineProperty(copy, name, {
      value: redacted,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}
