import { ConfigError } from '@service-caller/core';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { describeValue } from './describe-value.js';
import { formatKeyPath, type PathSegment, pathId } from './key-path.js';
import { findEntry, type KeyEntry, type KeyNode, ROOT_KEYS } from './keys.js';
import { valueAt } from './merge.js';
import { configSchema } from './schema.js';
import { isSecretKey } from './secrets.js';
import { nearest } from './suggest.js';
import type { ServiceCallerConfig } from './types.js';

/**
 * A Standard Schema issue (https://standardschema.dev), as every conforming library reports it.
 * Only this much is relied on, so the schema library can change without touching the mapping.
 */
interface StandardIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

/** Where the values being validated came from, to name them in errors. */
export interface ValidationSource {
  readonly style: 'yaml' | 'camel';
  /** The raw tree the camelCase tree was made from (values already expanded). */
  readonly raw: unknown;
  /** Text before `${VAR}` expansion, by `pathId` of the raw path. */
  readonly expandedFrom: ReadonlyMap<string, string>;
  fileOf(path: readonly PathSegment[]): string;
}

/**
 * Validates the normalized camelCase tree through the schema's Standard Schema interface and
 * returns the typed config with defaults, or throws a `ConfigError` for the first problem (the
 * hint lists the key paths of any others).
 */
export function validateConfig(tree: unknown, source: ValidationSource): ServiceCallerConfig {
  const result = configSchema['~standard'].validate(tree);
  if (result instanceof Promise) {
    // The schema has no async checks; this would be a bug here, not a user error.
    throw new TypeError('the config schema unexpectedly validated asynchronously');
  }
  if (result.issues === undefined) return result.value;
  const [first, ...others] = result.issues;
  throw issueToError(first!, others, source, (issue) => locate(issue, source.style));
}

/**
 * Validates the whole merged tree (YAML keys as written) with the caller's Standard Schema and
 * returns its output, or throws a `ConfigError` for the first issue, named like the loader's own.
 */
export async function validateWhole<Schema extends StandardSchemaV1>(
  schema: Schema,
  tree: Record<string, unknown>,
  source: ValidationSource,
): Promise<StandardSchemaV1.InferOutput<Schema>> {
  const result = await schema['~standard'].validate(tree);
  if (result.issues === undefined) return result.value;
  const [first, ...others] = result.issues;
  const rawLocate = (issue: StandardIssue) => ({
    rawPath: (issue.path ?? []).map((step) => {
      const key = typeof step === 'object' ? step.key : step;
      return typeof key === 'symbol' ? String(key) : key;
    }),
    entry: undefined,
    node: undefined,
  });
  throw issueToError(first!, others, source, rawLocate);
}

type Located = { rawPath: PathSegment[]; entry: KeyEntry | undefined; node: KeyNode | undefined };

function issueToError(
  issue: StandardIssue,
  others: readonly StandardIssue[],
  source: ValidationSource,
  locateIssue: (issue: StandardIssue) => Located,
): ConfigError {
  const { rawPath, entry, node } = locateIssue(issue);
  const found = valueAt(source.raw, rawPath);
  const secret = rawPath.some(isSecretKey);
  let foundText = describeValue(found, secret);
  const before = source.expandedFrom.get(pathId(rawPath));
  if (before !== undefined && !secret) foundText += ` (from ${JSON.stringify(before)})`;

  const hints: string[] = [];
  const hint = hintFor(found, entry, node);
  if (hint !== undefined) hints.push(hint);
  if (others.length > 0) {
    const paths = others.map((other) => formatKeyPath(locateIssue(other).rawPath));
    hints.push(`${others.length} more problem${others.length === 1 ? '' : 's'}: ${paths.join(', ')}`);
  }
  return new ConfigError({
    file: source.fileOf(rawPath),
    keyPath: formatKeyPath(rawPath),
    expected: issue.message,
    found: foundText,
    ...(hints.length > 0 ? { hint: hints.join('; ') } : {}),
  });
}

/**
 * Maps a schema issue's camelCase path back to the key path as the user wrote it, with the key
 * reference entry (for hints) and node it lands on.
 */
function locate(issue: StandardIssue, style: 'yaml' | 'camel'): Located {
  const rawPath: PathSegment[] = [];
  let node: KeyNode | undefined = ROOT_KEYS;
  let entry: KeyEntry | undefined;
  for (const step of issue.path ?? []) {
    const segment = typeof step === 'object' ? step.key : step;
    const key = typeof segment === 'symbol' ? String(segment) : segment;
    if (node?.kind === 'section') {
      entry = findEntry(node, String(key), 'camel');
      rawPath.push(entry === undefined ? key : style === 'yaml' ? entry.name : entry.camel);
      node = entry?.node;
    } else if (node?.kind === 'map') {
      rawPath.push(key);
      node = node.value;
    } else if (node?.kind === 'list') {
      rawPath.push(typeof key === 'string' && /^\d+$/.test(key) ? Number(key) : key);
      node = node.item;
    } else {
      rawPath.push(key);
      node = undefined;
    }
  }
  return { rawPath, entry, node };
}

function hintFor(found: unknown, entry: KeyEntry | undefined, node: KeyNode | undefined): string | undefined {
  if (found === undefined || (found === '' && !entry?.keepEmpty)) return 'this key is required';
  if (entry?.choices !== undefined && typeof found === 'string') {
    const suggestion = nearest(found, entry.choices);
    if (suggestion !== undefined) return `did you mean ${suggestion}?`;
  }
  const advice = entry?.hint?.(found);
  if (advice !== undefined) return advice;
  if (node?.kind === 'value' && node.text && (typeof found === 'number' || typeof found === 'boolean')) {
    return 'put the value in quotes to keep it as text: YAML reads 0123 as the number 123';
  }
  return undefined;
}
