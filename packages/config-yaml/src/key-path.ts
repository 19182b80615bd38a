import { isSecretKey, REDACTED } from './secrets.js';

/** One step into the config: a map key or a list index. */
export type PathSegment = string | number;

/**
 * A key path as users write it: `app-registry.static.services.other-app[0].port`. A key with
 * characters other than letters, digits, `-` and `_` is quoted (`services["a.b"]`). Anything
 * below a secret key is shown as `***`, in case a value was mistaken for a key.
 */
export function formatKeyPath(path: readonly PathSegment[]): string {
  let out = '';
  let belowSecret = false;
  for (const segment of path) {
    if (belowSecret) {
      out += `.${REDACTED}`;
      continue;
    }
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
    if (isSecretKey(segment)) belowSecret = true;
  }
  return out;
}

/** A lookup key for a path (segments may contain dots, so they are joined with NUL). */
export function pathId(path: readonly PathSegment[]): string {
  return path.join('\u0000');
}
