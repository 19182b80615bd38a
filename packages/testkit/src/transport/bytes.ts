/*
 * What the suite's routes send and report about bodies, for either side of a remote run: no
 * Node built-in, so the cases can check bytes on any runtime.
 */

/** A body large enough (256 KiB) that a transport cannot have buffered it all before `dispose`. */
export const LARGE_BODY = 256 * 1024;

/** The bytes the `/large` route sends: a pattern a reader can check without the original. */
export function patternBytes(size: number, offset = 0): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (offset + i) % 251;
  return bytes;
}

/**
 * The hex SHA-256 of `bytes`: how `/echo` reports a body too long to send back. WebCrypto, which
 * every runtime with `fetch` has, rather than `node:crypto`.
 */
export async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  let hex = '';
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

/** What `/echo` answers: the request as the server saw it. */
export interface Echo {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  length: number;
  sha256: string;
  /** The body as text, when it is short. */
  text?: string;
}
