import { maskUserInfo, SECRET_MASK } from './mask-text.js';
import { isSecretName, type SecretNameTest } from './secret-names.js';

/** Options of {@link maskByKey}. */
export interface MaskByKeyOptions {
  /** Which keys hide their values. @default isSecretName */
  readonly isSecret?: SecretNameTest;
  /** What a hidden value is shown as. @default '***' */
  readonly mask?: string;
  /** How a string that is not hidden is shown (e.g. with its URL user info masked). @default maskUserInfo */
  readonly text?: (text: string) => string;
  /** Show an empty string under a secret key as `''` (it tells the reader the secret is unset). @default false */
  readonly keepEmpty?: boolean;
  /**
   * Return plain JSON: `Map`s as objects, `Set`s as lists, dates as ISO strings, a `URL` as its
   * (masked) text, bigints and non-finite numbers as strings; functions, symbols and `undefined`
   * left out (`null` in a list), as `JSON.stringify` does. Otherwise the copy keeps every other
   * value as it is and walks any object by its own enumerable keys. @default false
   */
  readonly json?: boolean;
}

/**
 * A copy of `value` with the value of every key that `isSecret` flags, at any depth, replaced by
 * `mask` (a whole map or list below such a key included); `undefined` and `null` under a secret
 * key stay as they are (nothing is there to hide). Strings elsewhere go through `text`. A cycle
 * is shown as `'[cycle]'` (a value shared by two branches is shown in both). A key named
 * `__proto__` stays an own key of the copy. `value` itself is not changed.
 *
 * @example
 * ```ts
 * maskByKey({ nacos: { username: 'nacos', password: 'hunter2' } });
 * // { nacos: { username: 'nacos', password: '***' } }
 * ```
 */
export function maskByKey(value: unknown, options: MaskByKeyOptions = {}): unknown {
  const walker: Walker = {
    isSecret: options.isSecret ?? isSecretName,
    mask: options.mask ?? SECRET_MASK,
    text: options.text ?? ((text) => maskUserInfo(text)),
    keepEmpty: options.keepEmpty ?? false,
    json: options.json ?? false,
    path: new Set(),
  };
  return walk(walker, value);
}

interface Walker {
  readonly isSecret: SecretNameTest;
  readonly mask: string;
  readonly text: (text: string) => string;
  readonly keepEmpty: boolean;
  readonly json: boolean;
  /** The objects between the root and the value being walked: a cycle, not a shared value. */
  readonly path: Set<object>;
}

function walk(walker: Walker, value: unknown): unknown {
  if (typeof value === 'string') return walker.text(value);
  if (typeof value !== 'object' || value === null) return walker.json ? jsonScalar(value) : value;
  if (walker.path.has(value)) return '[cycle]';
  walker.path.add(value);
  try {
    if (walker.json) {
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
      if (value instanceof URL) return walker.text(value.href);
      if (value instanceof Set) return [...value].map((item) => walk(walker, item) ?? null);
    }
    if (Array.isArray(value)) {
      return value.map((item) => {
        const shown = walk(walker, item);
        return walker.json ? (shown ?? null) : shown;
      });
    }
    const entries: Iterable<[unknown, unknown]> =
      walker.json && value instanceof Map ? value.entries() : Object.entries(value);
    const copy: Record<string, unknown> = {};
    for (const [rawName, item] of entries) {
      const name = String(rawName);
      const shown = hides(walker, name, item) ? walker.mask : walk(walker, item);
      if (shown === undefined && walker.json) continue;
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
    walker.path.delete(value);
  }
}

function hides(walker: Walker, name: string, item: unknown): boolean {
  if (item === undefined || item === null || (item === '' && walker.keepEmpty)) return false;
  return walker.isSecret(name);
}

function jsonScalar(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  return typeof value === 'boolean' || value === null ? value : undefined;
}
