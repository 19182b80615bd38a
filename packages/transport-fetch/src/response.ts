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
 * The largest body read in one step (`arrayBuffer()`) rather than chunk by chunk: a body that
 * announced its length, not compressed, and no longer than this. Such a body arrives in a few
 * chunks at most, so one read timeout over all of it is what the timeout between chunks would
 * have been; a longer one is read chunk by chunk, each wait bounded on its own.
 */
export const WHOLE_READ_MAX = 64 * 1024;

/**
 * Reads `response`'s body to its end within the exchange's read timeout and size cap, and ends
 * the exchange. Rejects with the exchange's typed errors. A short body of known length is read
 * in one step ({@link WHOLE_READ_MAX}), which costs the runtime a good deal less than a reader and
 * its reads; any other body chunk by chunk, counting its bytes against the cap as they come.
 */
export function readWhole(response: Response, exchange: Exchange): Promise<Uint8Array> {
  const body = response.body;
  if (body === null) {
    exchange.finish();
    return Promise.resolve(EMPTY);
  }
  const announced = exchange.announced;
  if (announced !== undefined && announced <= WHOLE_READ_MAX) {
    // A compressed body's length says nothing of what it inflates to: the cap needs the chunks.
    const encoding = response.headers.get('content-encoding');
    if (encoding === null || encoding === 'identity') return readAtOnce(response, exchange);
  }
  return readChunks(body, exchange);
}

async function readAtOnce(response: Response, exchange: Exchange): Promise<Uint8Array> {
  try {
    exchange.waitForChunk();
    const bytes = new Uint8Array(await response.arrayBuffer());
    // The length was announced within the cap; counted all the same, as chunks are.
    const tooLarge = exchange.chunkArrived(bytes.byteLength);
    if (tooLarge !== undefined) throw tooLarge;
    return bytes;
  } catch (error) {
    throw exchange.failure(error);
  } finally {
    exchange.finish();
  }
}

async function readChunks(body: ReadableStream<Uint8Array>, exchange: Exchange): Promise<Uint8Array> {
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
