import { util } from 'undici';

/**
 * The value of the `content-length` header in undici's raw header list (`[name, value, ...]`
 * buffers), or `undefined`. undici's header-name lookup returns interned strings for known
 * names, so the scan allocates only for the one value it parses.
 */
export function contentLengthOf(rawHeaders: readonly Buffer[]): number | undefined {
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (util.headerNameToString(rawHeaders[i]!) === 'content-length')
      return contentLength(rawHeaders[i + 1]!);
  }
  return undefined;
}

/** A raw `content-length` value as a number of bytes, or `undefined` when it is not one. */
export function contentLength(value: Buffer): number | undefined {
  const length = Number(value.toString('latin1'));
  return Number.isSafeInteger(length) && length >= 0 ? length : undefined;
}

/** The first value of header `name` (lower case) in undici's raw header list, or `undefined`. */
export function headerValue(rawHeaders: readonly Buffer[], name: string): string | undefined {
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (util.headerNameToString(rawHeaders[i]!) === name) return rawHeaders[i + 1]!.toString('latin1');
  }
  return undefined;
}
