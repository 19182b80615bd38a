import { ConfigError } from '@service-caller/core';
import { describeValue } from './describe-value.js';
import { type Env, ExpansionProblem, expandString } from './expand.js';
import { formatKeyPath, type PathSegment, pathId } from './key-path.js';
import { isSecretKey } from './secrets.js';
import { replaceStrings } from './string-values.js';

/**
 * Expands `${VAR}` / `${VAR:default}` in every string value of the tree (the application's own
 * keys too, as the Python library does), in place. Returns, for each value that changed (by
 * `pathId`), the text before expansion, so an error about the value can show where it came from.
 *
 * @throws ConfigError for an unset variable without a default or a malformed reference, naming
 *   the file and key path; the text around a reference in a secret is never shown.
 */
export function expandValues(
  root: Record<string, unknown>,
  env: Env,
  fileOf: (path: readonly PathSegment[]) => string,
): Map<string, string> {
  const expandedFrom = new Map<string, string>();
  replaceStrings(root, (value, path) => {
    const expanded = expandOne(value, path, env, fileOf);
    if (expanded !== value) expandedFrom.set(pathId(path), value);
    return expanded;
  });
  return expandedFrom;
}

/** Expands one value found at `path`, with the same errors as {@link expandValues}. */
export function expandOne(
  value: string,
  path: readonly PathSegment[],
  env: Env,
  fileOf: (path: readonly PathSegment[]) => string,
): string {
  try {
    return expandString(value, env);
  } catch (error) {
    if (!(error instanceof ExpansionProblem)) throw error;
    const secret = path.some(isSecretKey);
    throw new ConfigError({
      file: fileOf(path),
      keyPath: formatKeyPath(path),
      expected: error.expected,
      // An unset variable's name is safe to show; the text around a reference may be a secret.
      found: secret && error.variable === undefined ? describeValue(value, true) : error.found,
    });
  }
}
