import type { BufferedResponse, IncomingHeaders, TransportRequest } from '@service-caller/core';
import { InvalidRequestError } from '@service-caller/core';
import { describeTarget } from './errors.js';
import { toIncomingHeaders } from './headers.js';

const decoder = new TextDecoder();

/**
 * A response from `fetch` whose body the transport read whole (`sendBuffered`). The header
 * object is built only when `headers` is read; `header()` asks the `Headers` directly.
 */
export class FetchBufferedResponse implements BufferedResponse {
  readonly status: number;
  readonly statusText: string;
  readonly bodyBytes: Uint8Array;
  readonly bodyUsed = true;
  readonly body = null;
  readonly #response: Response;
  readonly #request: TransportRequest;
  #headers: IncomingHeaders | undefined;

  constructor(response: Response, request: TransportRequest, bytes: Uint8Array) {
    this.status = response.status;
    this.statusText = response.statusText;
    this.bodyBytes = bytes;
    this.#response = response;
    this.#request = request;
  }

  get headers(): IncomingHeaders {
    this.#headers ??= toIncomingHeaders(this.#response.headers);
    return this.#headers;
  }

  header(name: string): string | undefined {
    if (name === 'set-cookie') return this.#response.headers.getSetCookie?.()[0];
    return this.#response.headers.get(name) ?? undefined;
  }

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
    return Promise.reject(
      new InvalidRequestError(
        `[fetch] cannot call ${reader} on the response to ${describeTarget(this.#request)}: it was read whole by sendBuffered (use bodyBytes or bodyText())`,
      ),
    );
  }
}
