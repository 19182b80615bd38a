import type { BufferedResponse, IncomingHeaders, TransportRequest } from '../contracts/transport.js';
import { InvalidRequestError } from '../errors/index.js';
import { urlForMessage } from './url.js';

const decoder = new TextDecoder();

/**
 * What every transport's `BufferedResponse` shares: already used as a `RawResponse` (the readers
 * refuse with `InvalidRequestError` naming the transport and the request, `dispose()` has nothing
 * to release), the URL it was sent to, and `bodyText()` as UTF-8 without a byte order mark. A
 * transport supplies the status, the headers and the bytes, and may decode faster.
 *
 * @example
 * ```ts
 * class MyBufferedResponse extends BufferedResponseBase {
 *   constructor(readonly status: number, readonly statusText: string, readonly headers: IncomingHeaders,
 *               readonly bodyBytes: Uint8Array, request: TransportRequest) {
 *     super('my-transport', request);
 *   }
 *   header(name: string) { const v = this.headers[name]; return Array.isArray(v) ? v[0] : v; }
 * }
 * ```
 */
export abstract class BufferedResponseBase implements BufferedResponse {
  abstract readonly status: number;
  abstract readonly statusText: string;
  abstract readonly headers: IncomingHeaders;
  abstract readonly bodyBytes: Uint8Array;
  readonly bodyUsed = true;
  readonly body = null;
  readonly #transport: string;
  readonly #request: TransportRequest;

  /** `transport` names the transport in errors (`undici`, `fetch`). */
  constructor(transport: string, request: TransportRequest) {
    this.#transport = transport;
    this.#request = request;
  }

  abstract header(name: string): string | undefined;

  get url(): string {
    return this.#request.origin + this.#request.path;
  }

  /** UTF-8, a leading byte order mark dropped (TextDecoder's default), as `Response.text()` does. */
  bodyText(): string {
    return decoder.decode(this.bodyBytes);
  }

  json<T = unknown>(): Promise<T> {
    return this.#used('json()');
  }

  text(): Promise<string> {
    return this.#used('text()');
  }

  bytes(): Promise<Uint8Array> {
    return this.#used('bytes()');
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    return this.#used('arrayBuffer()');
  }

  /** Nothing to release: the body has been read to its end. */
  async dispose(): Promise<void> {}

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  #used<T>(reader: string): Promise<T> {
    const request = this.#request;
    return Promise.reject(
      new InvalidRequestError(
        `[${this.#transport}] cannot call ${reader} on the response to ${request.method} ${urlForMessage(`${request.origin}${request.path}`)}: it was read whole by sendBuffered (use bodyBytes or bodyText())`,
      ),
    );
  }
}
