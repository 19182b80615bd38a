import type { IncomingHeaders, TransportRequest } from '@service-caller/core';
import { BufferedResponseBase } from '@service-caller/core/adapter';
import { util } from 'undici';
import { headerValue } from './raw-headers.js';

const EMPTY = Buffer.alloc(0);

/**
 * A response read whole on undici's `dispatch` (`sendBuffered`). The headers stay in undici's
 * raw form until someone reads `headers`; the body is the chunks as they arrived, joined (and
 * decoded) only when asked for.
 */
export class UndiciBufferedResponse extends BufferedResponseBase {
  readonly status: number;
  readonly statusText: string;
  readonly #rawHeaders: Buffer[];
  readonly #contentType: string | undefined;
  #headers: IncomingHeaders | undefined;
  /** One chunk (the common short body), or several to be joined on first use. */
  #first: Buffer | undefined;
  #chunks: Buffer[] | undefined;
  readonly #length: number;

  constructor(
    request: TransportRequest,
    status: number,
    statusText: string,
    rawHeaders: Buffer[],
    contentType: string | undefined,
    first: Buffer | undefined,
    chunks: Buffer[] | undefined,
    length: number,
  ) {
    super('undici', request);
    this.status = status;
    this.statusText = statusText;
    this.#rawHeaders = rawHeaders;
    this.#contentType = contentType;
    this.#first = first;
    this.#chunks = chunks;
    this.#length = length;
  }

  /** Parsed on first use, the way undici's `request()` gives them: lower-case names, repeats as arrays. */
  get headers(): IncomingHeaders {
    this.#headers ??= util.parseHeaders(this.#rawHeaders) as IncomingHeaders;
    return this.#headers;
  }

  header(name: string): string | undefined {
    // The content type was picked out while the headers arrived: the engine asks for it on every call.
    if (name === 'content-type') return this.#contentType;
    const headers = this.#headers;
    if (headers !== undefined) {
      const value = headers[name];
      return Array.isArray(value) ? value[0] : value;
    }
    return headerValue(this.#rawHeaders, name);
  }

  get bodyBytes(): Uint8Array {
    const chunks = this.#chunks;
    if (chunks !== undefined) {
      this.#first = Buffer.concat(chunks, this.#length);
      this.#chunks = undefined;
    }
    return this.#first ?? EMPTY;
  }

  /** Faster than a TextDecoder for a Buffer; the byte order mark is dropped all the same. */
  override bodyText(): string {
    const bytes = this.bodyBytes as Buffer;
    // A UTF-8 byte order mark is not part of the text (fetch's text() and undici's body.text() drop it too).
    const start = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    return bytes.toString('utf8', start);
  }
}
