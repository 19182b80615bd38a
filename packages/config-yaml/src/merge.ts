import { ConfigError } from '@service-caller/core';
import type { PathSegment } from './key-path.js';
import { MAX_VALUES } from './limits.js';

/** A parsed file: its path and its top-level map. */
export interface SourceDocument {
  readonly file: string;
  readonly data: Record<string, unknown>;
}

/**
 * The merged configuration tree and, for every key in it, the file that supplied it, so an
 * error about a value can name the file the value came from.
 */
export interface MergedTree {
  readonly root: Record<string, unknown>;
  /** Per map or list of `root`: which file supplied each of its keys (indices as strings). */
  readonly origins: WeakMap<object, Map<string, string>>;
  /** The first file, named when no key along a path says otherwise. */
  readonly baseFile: string;
}

/** A plain YAML map (not a list, not a class instance). */
export function isPlainMap(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Sets an own property even for `__proto__`, which plain assignment would treat as the prototype. */
export function setOwn(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** How lists meet when two documents both set one. */
export interface MergeOptions {
  /**
   * Concatenate them (earlier items first), as the Python library's `config_merge_list=True`
   * does; else the later list replaces the earlier. @default false
   */
  readonly mergeLists?: boolean;
}

/**
 * Merges the documents in order, later over earlier: maps merge key by key, anything else is
 * replaced whole (lists too, unless `mergeLists`). The result is a fresh tree: YAML aliases make
 * the parsed data share objects, and a merge into shared objects would change every place an
 * anchor was used. Copying also bounds the work: more than `MAX_VALUES` values is refused.
 */
export function mergeDocuments(documents: readonly SourceDocument[], options: MergeOptions = {}): MergedTree {
  const origins = new WeakMap<object, Map<string, string>>();
  const root: Record<string, unknown> = {};
  origins.set(root, new Map());
  const tree: MergedTree = { root, origins, baseFile: documents[0]?.file ?? '<none>' };
  mergeMore(tree, documents, options);
  return tree;
}

/** Merges more documents over a merged tree, in place, as {@link mergeDocuments} does. */
export function mergeMore(
  tree: MergedTree,
  documents: readonly SourceDocument[],
  options: MergeOptions = {},
): void {
  const budget = { left: MAX_VALUES - countValues(tree.root) };
  for (const { file, data } of documents) {
    mergeInto(tree.root, data, file, tree.origins, budget, options.mergeLists === true);
  }
}

function countValues(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + 1 + countValues(item), 0);
  if (isPlainMap(value))
    return Object.values(value).reduce((sum: number, item) => sum + 1 + countValues(item), 0);
  return 0;
}

function mergeInto(
  target: Record<string, unknown>,
  overlay: Record<string, unknown>,
  file: string,
  origins: WeakMap<object, Map<string, string>>,
  budget: { left: number },
  mergeLists: boolean,
): void {
  const targetOrigins = origins.get(target)!;
  for (const key of Object.keys(overlay)) {
    const incoming = overlay[key];
    const existing = Object.hasOwn(target, key) ? target[key] : undefined;
    if (isPlainMap(existing) && isPlainMap(incoming)) {
      mergeInto(existing, incoming, file, origins, budget, mergeLists);
    } else if (mergeLists && Array.isArray(existing) && Array.isArray(incoming)) {
      const listOrigins = origins.get(existing)!;
      for (const item of incoming) {
        listOrigins.set(String(existing.length), file);
        existing.push(copy(item, file, origins, budget));
      }
    } else {
      setOwn(target, key, copy(incoming, file, origins, budget));
    }
    targetOrigins.set(key, file);
  }
}

function copy(
  value: unknown,
  file: string,
  origins: WeakMap<object, Map<string, string>>,
  budget: { left: number },
): unknown {
  if (--budget.left < 0) {
    throw new ConfigError({
      file,
      keyPath: '',
      expected: `at most ${MAX_VALUES} values once YAML aliases are resolved`,
      found: 'more (aliases that repeat large parts of the file?)',
    });
  }
  if (Array.isArray(value)) {
    const list = value.map((item) => copy(item, file, origins, budget));
    origins.set(list, new Map(list.map((_, index) => [String(index), file])));
    return list;
  }
  if (isPlainMap(value)) {
    const map: Record<string, unknown> = {};
    const mapOrigins = new Map<string, string>();
    for (const key of Object.keys(value)) {
      setOwn(map, key, copy(value[key], file, origins, budget));
      mapOrigins.set(key, file);
    }
    origins.set(map, mapOrigins);
    return map;
  }
  return value;
}

/**
 * The file that supplied the value at `path`, or, when the path does not exist (a missing
 * required key), the file that last supplied its nearest existing parent.
 */
export function originOf(tree: MergedTree, path: readonly PathSegment[]): string {
  let file = tree.baseFile;
  let current: unknown = tree.root;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) break;
    const key = String(segment);
    if (!Object.hasOwn(current, key)) break;
    file = tree.origins.get(current)?.get(key) ?? file;
    current = (current as Record<string, unknown>)[key];
  }
  return file;
}

/** The value at `path`, or `undefined`. */
export function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let current = root;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    const key = String(segment);
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
