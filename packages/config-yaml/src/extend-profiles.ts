import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '@service-caller/core';
import { describeValue } from './describe-value.js';

/** One `extend-profiles` item, resolved: a profile name (its file is found later) or a file. */
export type ExtendItem =
  | { readonly kind: 'profile'; readonly name: string; readonly from: string }
  | { readonly kind: 'file'; readonly path: string; readonly from: string };

const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const FILE_PREFIX = 'file:';

/**
 * Splits an `extend-profiles` value (a comma-separated string as in the Python library, or a list
 * of strings) into items, blanks dropped. `file:<path>` is a file, a relative path resolved
 * against the working directory (as the Python library does); anything else is a profile name,
 * meaning `application-{name}.yaml` in the config folder.
 *
 * @param from what messages name as the place the value came from (a file, or the option).
 * @throws ConfigError for an item that is neither.
 */
export function parseExtendProfiles(
  value: unknown,
  where: { file: string; keyPath: string },
  cwd: string,
): ExtendItem[] {
  if (value === undefined || value === null) return [];
  const parts =
    typeof value === 'string'
      ? value.split(',')
      : Array.isArray(value) && value.every((item) => typeof item === 'string')
        ? value.flatMap((item: string) => item.split(','))
        : undefined;
  if (parts === undefined) {
    throw new ConfigError({
      ...where,
      expected: 'a comma-separated string of profile names and file: paths, or a list of them',
      found: describeValue(value),
    });
  }
  const items: ExtendItem[] = [];
  for (const part of parts) {
    const item = part.trim();
    if (item === '') continue;
    if (item.startsWith(FILE_PREFIX)) {
      const path = item.slice(FILE_PREFIX.length).trim();
      if (path === '') {
        throw new ConfigError({ ...where, expected: 'a path after file:', found: JSON.stringify(item) });
      }
      items.push({ kind: 'file', path: isAbsolute(path) ? path : resolve(cwd, path), from: where.file });
    } else if (PROFILE_NAME.test(item) && !item.includes('..')) {
      items.push({ kind: 'profile', name: item, from: where.file });
    } else {
      throw new ConfigError({
        ...where,
        expected: 'profile names (letters, digits, ".", "_", "-") or file:<path> items, separated by commas',
        found: describeValue(item),
      });
    }
  }
  return items;
}
