import type { IncomingHeaders, RawResponse } from '@service-caller/core';
import { InvalidRequestError } from '@service-caller/core';
import { describeTarget } from './errors.js';
import type { Exchange } from './exchange.js';
import { toIncomingHeaders } from './headers.js';

const decoder = new TextDecoder();
const EMPTY = new Uint8Array(0);

function concat(chunks: Uint8Array[], length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * A response from `fetch`. The body is read here, chunk by chunk, rather than through
 * `Response.text()` and friends, so that the read timeout can bound each wait for a chunk and a
 * failure can be reported with the transport's errors.
 */
export class FetchRawResponse implements RawResponse {
  readonly status: number;
  readonly statusText: string;
  readonly #response: Response;
  readonly #exchange: Exchange;
  #headers: IncomingHeaders | undefined;
  #used = false;
  #stream: ReadableStream<Uint8Array> | undefined;

  constructor(response: Response, exchange: Exchange) {
    this.status = response.status;
    this.statusText = response.statusText;
    this.#response = response;
    this.#exchange = exchange;
  }

  /** Built on first use: many callers never look at the headers. */
  get headers(): IncomingHeaders {
    this.#headers ??= toIncomingHeaders(this.#response.headers);
    return this.#headers;
  }

  get url(): string {
    const request = this.#exchange.request;
    return request.origin + request.path;
  }

  get bodyUsed(): boolean {
    return this.#used;
  }

  /** `null` for responses that cannot have a body (to `HEAD`; 204, 205, 304). */
  get body(): ReadableStream<Uint8Array> | null {
    if (this.#stream) return this.#stream;
    const inner = this.#response.body;
    if (inner === null || this.#exchange.request.method === 'HEAD') return null;
    this.#take('body');
    this.#stream = this.#wrap(inner);
    return this.#stream;
  }

  async json<T = unknown>(): Promise<T> {
    this.#take('json()');
    return JSON.parse(decoder.decode(await this.#readAll())) as T;
  }

  async text(): Promise<string> {
    this.#take('text()');
    return decoder.decode(await this.#readAll());
  }

  async bytes(): Promise<Uint8Array> {
    this.#take('bytes()');
    return this.#readAll();
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    this.#take('arrayBuffer()');
    const bytes = await this.#readAll();
    if (
      bytes.byteOffset === 0 &&
      bytes.byteLength === bytes.buffer.byteLength &&
      bytes.buffer instanceof ArrayBuffer
    ) {
      return bytes.buffer;
    }
    return bytes.slice().buffer as ArrayBuffer;
  }

  async dispose(): Promise<void> {
    const exchange = this.#exchange;
    if (!this.#used) {
      this.#used = true;
      const body = this.#response.body;
      exchange.finish();
      // Cancelling lets the runtime drop the rest: the connection is reused when the body had
      // already arrived, closed otherwise.
      if (body !== null && !body.locked) await body.cancel().catch(() => {});
      return;
    }
    // A body still arriving that the caller stopped reading.
    exchange.abandon();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  #take(reader: string): void {
    if (this.#used) {
      throw new InvalidRequestError(
        `[fetch] cannot call ${reader} on the response to ${describeTarget(this.#exchange.request)}: its body was already read or disposed (a body can be read once)`,
      );
    }
    this.#used = true;
  }

  #readAll(): Promise<Uint8Array> {
    return readWhole(this.#response, this.#exchange);
  }

  #wrap(inner: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
    const exchange = this.#exchange;
    const reader = inner.getReader();
    return new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          exchange.waitForChunk();
          try {
            const { done, value } = await reader.read();
            if (done) {
              exchange.finish();
              controller.close();
              return;
            }
            const tooLarge = exchange.chunkArrived(value.byteLength);
            if (tooLarge !== undefined) throw tooLarge;
            controller.enqueue(value);
          } catch (error) {
            const failure = exchange.failure(error);
            exchange.finish();
            controller.error(failure);
          }
        },
        async cancel(reason) {
          exchange.finish();
          await reader.cancel(reason);
        },
      },
      { highWaterMark: 0 },
    );
  }
}

/**
 * Reads `response`'s body to its end, chunk by chunk, within the exchange's read timeout and size
 * cap, and ends the exchange. Rejects with the exchange's typed errors.
 */
export async function readWhole(response: Response, exchange: Exchange): Promise<Uint8Array> {
  const body = response.body;
  if (body === null) {
    exchange.finish();
    return EMPTY;
  }
  const reader = body.getReader();
  let first: Uint8Array | undefined;
  let chunks: Uint8Array[] | undefined;
  let length = 0;
  try {
    // Ends with the body: the server's end, a read timeout, an abort, the size cap or a broken connection.
    for (;;) {
      exchange.waitForChunk();
      const { done, value } = await reader.read();
      if (done) break;
      const tooLarge = exchange.chunkArrived(value.byteLength);
      if (tooLarge !== undefined) throw tooLarge;
      length += value.byteLength;
      if (first === undefined) first = value;
      else if (chunks === undefined) chunks = [first, value];
      else chunks.push(value);
    }
  } catch (error) {
    throw exchange.failure(error);
  } finally {
    exchange.finish();
  }
  // One chunk (a short body) is returned as it came, without a copy.
  return chunks === undefined ? (first ?? EMPTY) : concat(chunks, length);
}
