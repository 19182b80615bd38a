import { REDACTED, redactUserInfo } from './secrets.js';

const MAX_TEXT = 60;
const MAX_KEYS = 5;

/**
 * What a `ConfigError` says it found: a short, readable rendering of a value. A secret scalar is
 * `***`; a secret map or list shows only its kind (its keys might be the secret).
 */
export function describeValue(value: unknown, secret = false): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null (nothing)';
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'object') {
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) {
      return `a ${(value as object).constructor?.name ?? 'object'}`;
    }
    if (secret) return 'a map';
    const keys = Object.keys(value);
    if (keys.length === 0) return 'an empty map';
    const shown = keys.slice(0, MAX_KEYS).join(', ');
    return `a map (${shown}${keys.length > MAX_KEYS ? ', ...' : ''})`;
  }
  if (secret) return REDACTED;
  if (typeof value === 'string') {
    if (value === '') return 'an empty string';
    // Redact before cutting, so a cut never leaves half of a password behind its `@`.
    const safe = redactUserInfo(value);
    return JSON.stringify(safe.length > MAX_TEXT ? `${safe.slice(0, MAX_TEXT)}...` : safe);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  return typeof value;
}
