import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { Decrypt } from './crypto/decryptor.js';
import { decryptValues } from './decrypt-values.js';
import { deepFreeze } from './deep-freeze.js';
import type { Env } from './expand.js';
import { expandValues } from './expand-values.js';
import type { LocalFiles } from './local-files.js';
import { type MergeOptions, mergeDocuments, mergeMore, originOf, type SourceDocument } from './merge.js';
import { type ConfigWarning, normalizeKeys } from './normalize-keys.js';
import type { LoadedConfig } from './types.js';
import { validateConfig, validateWhole } from './validate.js';

/** Everything but the documents that goes into one composition. */
export interface ComposeContext extends MergeOptions {
  readonly env: Env;
  readonly decrypt: Decrypt | undefined;
  readonly strict: boolean;
  readonly schema: StandardSchemaV1 | undefined;
  warn(warning: ConfigWarning): void;
}

/**
 * Builds the config from the local files and the config sources' documents (parsed and
 * decrypted already): the local files merged, `${}` expanded and `{encrypted}` values decrypted
 * (in that order, as in the Python library), then the sources' documents merged over them (not
 * expanded: they are data from a server, as in the Python library), then validated. The whole
 * merged tree is frozen, or validated by the caller's schema, whose output is frozen.
 */
export async function compose(
  local: LocalFiles,
  remote: readonly SourceDocument[],
  context: ComposeContext,
  warnings: string[],
  /** Validate only `config-sources` (what says where to fetch more), not the rest, nor the schema. */
  sourcesOnly = false,
): Promise<LoadedConfig<unknown>> {
  const tree = mergeDocuments(local.documents, context);
  const fileOf = (path: readonly (string | number)[]) => originOf(tree, path);
  const expandedFrom = expandValues(tree.root, context.env, fileOf);
  decryptValues(tree.root, context.decrypt, fileOf);
  mergeMore(tree, remote, context);
  const checked = sourcesOnly ? pick(tree.root, 'config-sources') : tree.root;
  const normalized = normalizeKeys(checked, {
    style: 'yaml',
    lenientTopLevel: true,
    strict: context.strict,
    fileOf,
    warn: context.warn,
  });
  const source = { style: 'yaml', raw: tree.root, expandedFrom, fileOf } as const;
  const config = validateConfig(normalized, source);
  const merged =
    context.schema === undefined || sourcesOnly
      ? tree.root
      : await validateWhole(context.schema, tree.root, source);
  return {
    config,
    merged: deepFreeze(merged),
    files: [...local.documents, ...remote].map((document) => document.file),
    profile: local.profile,
    warnings,
  };
}

function pick(root: Record<string, unknown>, key: string): Record<string, unknown> {
  return Object.hasOwn(root, key) ? { [key]: root[key] } : {};
}
