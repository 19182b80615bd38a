import type { IncomingHeaders, RawResponse, TransportRequest } from '@service-caller/core';
import { ClosedError, InvalidRequestError } from '@service-caller/core';
import type { Dispatcher } from 'undici';
import { describeTarget, toTransportError } from './errors.js';

type BodyReadable = Dispatcher.ResponseData['body'];

/**
 * A response from undici's `dispatcher.request()`. It keeps undici's header object as it is (it
 * is already lower-cased, with repeated headers as arrays) and reads the body through undici's
 * own body mixin, so nothing is copied that the caller does not ask for.
 */
export class UndiciRawResponse implements RawResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: IncomingHeaders;
  readonly #body: BodyReadable;
  readonly #request: TransportRequest;
  readonly #connectTimeout: number;
  readonly #readTimeout: number;
  #used = false;
  #stream: ReadableStream<Uint8Array> | undefined;

  constructor(
    data: Dispatcher.ResponseData,
    request: TransportRequest,
    connectTimeout: number,
    readTimeout: number,
  ) {
    this.status = data.statusCode;
    this.statusText = data.statusText ?? '';
    this.headers = data.headers as IncomingHeaders;
    this.#body = data.body;
    this.#request = request;
    this.#connectTimeout = connectTimeout;
    this.#readTimeout = readTimeout;
  }

  get url(): string {
    return this.#request.origin + this.#request.path;
  }

  get bodyUsed(): boolean {
    return this.#used;
  }

  /** `null` for responses that cannot have a body (to `HEAD`; 204, 205, 304), as in `fetch`. */
  get body(): ReadableStream<Uint8Array> | null {
    if (this.#stream) return this.#stream;
    const status = this.status;
    if (this.#request.method === 'HEAD' || status === 204 || status === 205 || status === 304) return null;
    this.#take('body');
    this.#stream = this.#webStream();
    return this.#stream;
  }

  async json<T = unknown>(): Promise<T> {
    this.#take('json()');
    try {
      return (await this.#body.json()) as T;
    } catch (error) {
      throw this.#error(error);
    }
  }

  async text(): Promise<string> {
    this.#take('text()');
    try {
      return await this.#body.text();
    } catch (error) {
      throw this.#error(error);
    }
  }

  async bytes(): Promise<Uint8Array> {
    this.#take('bytes()');
    try {
      return await this.#body.bytes();
    } catch (error) {
      throw this.#error(error);
    }
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    this.#take('arrayBuffer()');
    try {
      return await this.#body.arrayBuffer();
    } catch (error) {
      throw this.#error(error);
    }
  }

  async dispose(): Promise<void> {
    const body = this.#body;
    if (!this.#used) {
      this.#used = true;
      // dump() reads a short rest so the connection goes back to the pool, and destroys the
      // socket instead when the rest is long (over 128 KiB). It never rejects.
      await body.dump();
      return;
    }
    // A body still arriving that the caller stopped reading: only closing the connection releases
    // it. A read in progress rejects with ClosedError.
    if (!body.readableEnded && !body.destroyed) {
      body.destroy(new ClosedError(`[undici] the response to ${describeTarget(this.#request)}`));
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  #take(reader: string): void {
    if (this.#used) {
      throw new InvalidRequestError(
        `[undici] cannot call ${reader} on the response to ${describeTarget(this.#request)}: its body was already read or disposed (a body can be read once)`,
      );
    }
    this.#used = true;
  }

  #error(error: unknown): unknown {
    return toTransportError(error, this.#request, this.#connectTimeout, this.#readTimeout);
  }

  #webStream(): ReadableStream<Uint8Array> {
    // One web stream straight over the Node stream, so that read errors are mapped like the others.
    const iterator = this.#body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    return new ReadableStream<Uint8Array>(
      {
        pull: (controller) =>
          iterator.next().then(
            (step) => (step.done ? controller.close() : controller.enqueue(step.value)),
            (error: unknown) => controller.error(this.#error(error)),
          ),
        // Returning the iterator destroys the body, which releases (closes) the connection.
        cancel: async () => {
          await iterator.return?.();
        },
      },
      { highWaterMark: 0 },
    );
  }
}
