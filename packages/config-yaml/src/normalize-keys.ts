import { ConfigError } from '@service-caller/core';
import { formatKeyPath, type PathSegment } from './key-path.js';
import { findEntry, type KeyNode, ROOT_KEYS } from './keys.js';
import { isPlainMap, setOwn } from './merge.js';
import { nearest } from './suggest.js';

/** A warning about the config: its text and where it points. */
export interface ConfigWarning {
  readonly message: string;
  readonly file: string;
  readonly keyPath: string;
  readonly suggestion?: string;
}

/** How to read the raw tree. */
export interface NormalizeOptions {
  /** `yaml`: kebab-case keys as in the files; `camel`: the `parseConfig` object. */
  readonly style: 'yaml' | 'camel';
  /** Unknown keys are errors rather than warnings (each warning becomes the error it names). */
  readonly strict?: boolean;
  /**
   * Report unknown top-level keys only when they look like a known one. A YAML file also holds
   * the application's own settings, which are none of this loader's business.
   */
  readonly lenientTopLevel: boolean;
  /** The file a path's value came from. */
  fileOf(path: readonly PathSegment[]): string;
  warn(warning: ConfigWarning): void;
}

// Names that would reach an object's prototype if used as keys downstream.
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Walks the raw tree (a merged YAML tree, values already expanded, or a `parseConfig` object)
 * along the key reference: renames known keys to camelCase, warns about unknown keys with the
 * nearest known name (or, `strict`, refuses them), and treats `null` and empty strings as "not
 * set". Values of the wrong shape are passed through unchanged: the schema reports them with
 * their key path. Returns the camelCase tree for the schema.
 */
export function normalizeKeys(raw: unknown, options: NormalizeOptions): unknown {
  return walk(raw, ROOT_KEYS, [], options);
}

function walk(value: unknown, node: KeyNode, path: PathSegment[], options: NormalizeOptions): unknown {
  if (node.kind === 'section') {
    if (!isPlainMap(value)) return value;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const childPath = [...path, key];
      const entry = findEntry(node, key, options.style);
      if (entry === undefined) {
        reportUnknown(key, node, childPath, options);
        continue;
      }
      const child = value[key];
      if (child === null) {
        if (entry.warnWhenNull) reportNull(childPath, options);
        continue;
      }
      if (child === '' && !entry.keepEmpty) continue;
      out[entry.camel] = walk(child, entry.node, childPath, options);
    }
    return out;
  }
  if (node.kind === 'map') {
    if (!isPlainMap(value)) return value;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const childPath = [...path, key];
      if (RESERVED_NAMES.has(key)) {
        throw new ConfigError({
          file: options.fileOf(childPath),
          keyPath: formatKeyPath(childPath),
          expected: `a name other than ${[...RESERVED_NAMES].join(', ')}`,
          found: JSON.stringify(key),
        });
      }
      const child = value[key];
      setOwn(out, key, walk(child, node.value, childPath, options));
    }
    return out;
  }
  if (node.kind === 'list') {
    if (!Array.isArray(value)) return value;
    return value.map((child, index) => walk(child, node.item, [...path, index], options));
  }
  return value;
}

function reportUnknown(key: string, node: KeyNode, path: PathSegment[], options: NormalizeOptions): void {
  if (node.kind !== 'section') return;
  const names = node.keys.map((entry) => (options.style === 'yaml' ? entry.name : entry.camel));
  const suggestion = nearest(key, names);
  if (path.length === 1 && options.lenientTopLevel && suggestion === undefined) return;
  const file = options.fileOf(path);
  const keyPath = formatKeyPath(path);
  if (options.strict) {
    throw new ConfigError({
      file,
      keyPath,
      expected: 'a known key (strict mode refuses unknown keys)',
      found: `the unknown key ${JSON.stringify(key)}`,
      ...(suggestion === undefined ? {} : { hint: `did you mean ${suggestion}?` }),
    });
  }
  options.warn({
    message: `${file}: unknown key ${keyPath} is ignored${suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`}`,
    file,
    keyPath,
    ...(suggestion === undefined ? {} : { suggestion }),
  });
}

function reportNull(path: PathSegment[], options: NormalizeOptions): void {
  const file = options.fileOf(path);
  const keyPath = formatKeyPath(path);
  const name = String(path.at(-1));
  options.warn({
    message: `${file}: ${keyPath} is empty (null), so it is ignored; write \`${name}: {}\` to use it with its defaults`,
    file,
    keyPath,
  });
}
