import type { IncomingHeaders, TransportRequest } from '@service-caller/core';
import { BufferedResponseBase } from '@service-caller/core/adapter';
import { toIncomingHeaders } from './headers.js';

/**
 * A response from `fetch` whose body the transport read whole (`sendBuffered`). The header
 * object is built only when `headers` is read; `header()` asks the `Headers` directly.
 */
export class FetchBufferedResponse extends BufferedResponseBase {
  readonly status: number;
  readonly statusText: string;
  readonly bodyBytes: Uint8Array;
  readonly #response: Response;
  #headers: IncomingHeaders | undefined;

  constructor(response: Response, request: TransportRequest, bytes: Uint8Array) {
    super('fetch', request);
    this.status = response.status;
    this.statusText = response.statusText;
    this.bodyBytes = bytes;
    this.#response = response;
  }

  get headers(): IncomingHeaders {
    this.#headers ??= toIncomingHeaders(this.#response.headers);
    return this.#headers;
  }

  header(name: string): string | undefined {
    if (name === 'set-cookie') return this.#response.headers.getSetCookie?.()[0];
    return this.#response.headers.get(name) ?? undefined;
  }
}
