import { ConfigError } from '@service-caller/core';
import { describeValue } from './describe-value.js';
import { type Env, ExpansionProblem, expandString } from './expand.js';
import { formatKeyPath, type PathSegment, pathId } from './key-path.js';
import { findEntry, type KeyNode, ROOT_KEYS } from './keys.js';
import { isPlainMap, setOwn } from './merge.js';
import { isSecretKey } from './secrets.js';
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
  /** Expand `${VAR}` in strings from these variables; no expansion when absent. */
  readonly env?: Env;
  /**
   * Report unknown top-level keys only when they look like a known one. A YAML file also holds
   * the application's own settings, which are none of this loader's business.
   */
  readonly lenientTopLevel: boolean;
  /** The file a path's value came from. */
  fileOf(path: readonly PathSegment[]): string;
  warn(warning: ConfigWarning): void;
}

/** What normalizing produced besides the camelCase tree. */
export interface Normalized {
  /** The camelCase tree, unknown keys dropped, for the schema to validate. */
  readonly tree: unknown;
  /** For each expanded string (by `pathId` of its raw path), the text before expansion. */
  readonly expandedFrom: ReadonlyMap<string, string>;
}

// Names that would reach an object's prototype if used as keys downstream.
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Walks the raw tree (a merged YAML tree or a `parseConfig` object) along the key reference:
 * renames known keys to camelCase, warns about unknown keys with the nearest known name, expands
 * `${VAR}` in string values (writing the result back into the raw tree, so errors can show the
 * expanded value), and treats `null` and (after expansion) empty strings as "not set". Values of
 * the wrong shape are passed through unchanged: the schema reports them with their key path.
 */
export function normalizeKeys(raw: unknown, options: NormalizeOptions): Normalized {
  const expandedFrom = new Map<string, string>();
  const tree = walk(raw, ROOT_KEYS, [], options, expandedFrom);
  return { tree, expandedFrom };
}

function walk(
  value: unknown,
  node: KeyNode,
  path: PathSegment[],
  options: NormalizeOptions,
  expandedFrom: Map<string, string>,
): unknown {
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
      const child = expandChild(value, key, childPath, options, expandedFrom);
      if (child === null) {
        if (entry.warnWhenNull) reportNull(childPath, options);
        continue;
      }
      if (child === '' && !entry.keepEmpty) continue;
      out[entry.camel] = walk(child, entry.node, childPath, options, expandedFrom);
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
      const child = expandChild(value, key, childPath, options, expandedFrom);
      setOwn(out, key, walk(child, node.value, childPath, options, expandedFrom));
    }
    return out;
  }
  if (node.kind === 'list') {
    if (!Array.isArray(value)) return value;
    return value.map((_, index) => {
      const child = expandChild(value, index, [...path, index], options, expandedFrom);
      return walk(child, node.item, [...path, index], options, expandedFrom);
    });
  }
  return value;
}

/** The child's value, with `${VAR}` expanded (and written back) when it is a string. */
function expandChild(
  container: Record<string, unknown> | unknown[],
  key: string | number,
  path: PathSegment[],
  options: NormalizeOptions,
  expandedFrom: Map<string, string>,
): unknown {
  const value = (container as Record<string | number, unknown>)[key];
  if (options.env === undefined || typeof value !== 'string') return value;
  let expanded: string;
  try {
    expanded = expandString(value, options.env);
  } catch (error) {
    if (!(error instanceof ExpansionProblem)) throw error;
    const secret = path.some(isSecretKey);
    throw new ConfigError({
      file: options.fileOf(path),
      keyPath: formatKeyPath(path),
      expected: error.expected,
      // An unset variable's name is safe to show; the text around a reference may be a secret.
      found: secret && error.variable === undefined ? describeValue(value, true) : error.found,
    });
  }
  if (expanded !== value) {
    expandedFrom.set(pathId(path), value);
    (container as Record<string | number, unknown>)[key] = expanded;
  }
  return expanded;
}

function reportUnknown(key: string, node: KeyNode, path: PathSegment[], options: NormalizeOptions): void {
  if (node.kind !== 'section') return;
  const names = node.keys.map((entry) => (options.style === 'yaml' ? entry.name : entry.camel));
  const suggestion = nearest(key, names);
  if (path.length === 1 && options.lenientTopLevel && suggestion === undefined) return;
  const file = options.fileOf(path);
  const keyPath = formatKeyPath(path);
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
