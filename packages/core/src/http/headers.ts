/**
 * Whether `headers` has a header named `lowerName` in any spelling (`Content-Type`,
 * `content-type`). Header objects are small, so a scan beats building a lower-cased copy; the
 * length check skips the `toLowerCase()` allocation for most names.
 *
 * @param lowerName The name to look for, already lower case.
 * @example
 * ```ts
 * hasHeader({ 'Content-Type': 'text/plain' }, 'content-type'); // true
 * ```
 */
export function hasHeader(headers: Readonly<Record<string, unknown>>, lowerName: string): boolean {
  for (const name in headers) {
    if (name.length === lowerName.length && (name === lowerName || name.toLowerCase() === lowerName)) {
      return true;
    }
  }
  return false;
}
