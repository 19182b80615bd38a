import type { IncomingHeaders, RawResponse } from '../contracts/transport.js';
import type { AttemptRecord } from './attempt-record.js';
import type { CallContext } from './context.js';

/**
 * Told, exactly once per raw call, that the response's body is done with; `error` when reading
 * it failed. One listener per engine: the call travels as an argument, so no closure is made
 * per call.
 */
export interface BodySettledListener {
  bodySettled(ctx: CallContext, record: AttemptRecord, error: unknown): void;
}

/**
 * The response a raw call resolves with: the transport's response, watched so that the engine
 * learns when its body has been read to the end, has failed, or has been disposed (the body of a
 * raw call is read after the call resolved). That moment ends the attempt: the call's deadline is
 * cleared and the attempt's outcome reported. Works over any transport's `RawResponse`.
 */
export class TrackedResponse implements RawResponse {
  readonly #inner: RawResponse;
  readonly #ctx: CallContext;
  readonly #record: AttemptRecord;
  #listener: BodySettledListener | undefined;
  /** Whether a reader has been started: later readers only meet the read-once rule. */
  #reading = false;
  #stream: ReadableStream<Uint8Array> | null | undefined = undefined;

  constructor(inner: RawResponse, ctx: CallContext, record: AttemptRecord, listener: BodySettledListener) {
    this.#inner = inner;
    this.#ctx = ctx;
    this.#record = record;
    this.#listener = listener;
  }

  get status(): number {
    return this.#inner.status;
  }

  get statusText(): string {
    return this.#inner.statusText;
  }

  get headers(): IncomingHeaders {
    return this.#inner.headers;
  }

  get url(): string {
    return this.#inner.url;
  }

  get bodyUsed(): boolean {
    return this.#inner.bodyUsed;
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.#stream !== undefined) return this.#stream;
    const inner = this.#inner.body;
    // No body (HEAD, 204, 304): nothing is left to read.
    if (inner === null) {
      this.#stream = null;
      this.settle(undefined);
      return null;
    }
    this.#reading = true;
    this.#stream = this.#watch(inner);
    return this.#stream;
  }

  json<T = unknown>(): Promise<T> {
    return this.#track(this.#inner.json<T>());
  }

  text(): Promise<string> {
    return this.#track(this.#inner.text());
  }

  bytes(): Promise<Uint8Array> {
    return this.#track(this.#inner.bytes());
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    return this.#track(this.#inner.arrayBuffer());
  }

  async dispose(): Promise<void> {
    try {
      await this.#inner.dispose();
    } finally {
      this.settle(undefined);
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  /** The body is done with. Idempotent: only the first call reaches the listener. */
  settle(error: unknown): void {
    const listener = this.#listener;
    if (listener === undefined) return;
    this.#listener = undefined;
    listener.bodySettled(this.#ctx, this.#record, error);
  }

  #track<T>(reading: Promise<T>): Promise<T> {
    // A second reader fails on the read-once rule; the first one's end is what counts.
    if (this.#reading) return reading;
    this.#reading = true;
    return reading.then(
      (value) => {
        this.settle(undefined);
        return value;
      },
      (error: unknown) => {
        this.settle(error);
        throw error;
      },
    );
  }

  #watch(inner: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
    const reader = inner.getReader();
    return new ReadableStream<Uint8Array>(
      {
        pull: (controller) =>
          reader.read().then(
            (step) => {
              if (step.done) {
                this.settle(undefined);
                controller.close();
              } else {
                controller.enqueue(step.value);
              }
            },
            (error: unknown) => {
              this.settle(error);
              controller.error(error);
            },
          ),
        cancel: async (reason) => {
          try {
            await reader.cancel(reason);
          } finally {
            this.settle(undefined);
          }
        },
      },
      { highWaterMark: 0 },
    );
  }
}
