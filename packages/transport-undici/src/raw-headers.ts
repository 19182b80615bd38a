import { util } from 'undici';

/** The two response headers read on every response. */
export const CONTENT_LENGTH = 'content-length';
export const CONTENT_TYPE = 'content-type';

/**
 * Whether the raw header name `name` is `lower` (a lower-case name), in any case. The length is
 * compared first: most names differ in it, and undici's name lookup (a search tree over the
 * bytes, interned strings for known names) then runs only for the few that could match.
 */
export function isHeaderName(name: Buffer, lower: string): boolean {
  return name.length === lower.length && util.headerNameToString(name) === lower;
}

/** The value of the `content-length` header in undici's raw header list (`[name, value, ...]` buffers), or `undefined`. */
export function contentLengthOf(rawHeaders: readonly Buffer[]): number | undefined {
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (isHeaderName(rawHeaders[i]!, CONTENT_LENGTH)) return contentLength(rawHeaders[i + 1]!);
  }
  return undefined;
}

/**
 * A raw `content-length` value as a number of bytes, or `undefined` when it is not one. Digits
 * only (undici's parser refuses anything else on the wire before a handler sees it), read from
 * the bytes without making a string of them: every response has this header.
 */
export function contentLength(value: Buffer): number | undefined {
  const digits = value.length;
  if (digits === 0) return undefined;
  let length = 0;
  for (let i = 0; i < digits; i++) {
    const digit = value[i]! - 0x30;
    if (digit < 0 || digit > 9) return undefined;
    length = length * 10 + digit;
  }
  return Number.isSafeInteger(length) ? length : undefined;
}

/** The first value of header `name` (lower case) in undici's raw header list, or `undefined`. */
export function headerValue(rawHeaders: readonly Buffer[], name: string): string | undefined {
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (isHeaderName(rawHeaders[i]!, name)) return rawHeaders[i + 1]!.toString('latin1');
  }
  return undefined;
}
