import { util } from 'undici';

/**
 * The value of the `content-length` header in undici's raw header list (`[name, value, ...]`
 * buffers), or `undefined`. undici's header-name lookup returns interned strings for known
 * names, so the scan allocates only for the one value it parses.
 */
export function contentLengthOf(rawHeaders: readonly Buffer[]): number | undefined {
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (util.headerNameToString(rawHeaders[i]!) !== 'content-length') continue;
    const value = Number(rawHeaders[i + 1]!.toString('latin1'));
    return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  }
  return undefined;
}
