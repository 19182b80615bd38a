import { ResponseTooLargeError } from '@service-caller/core';
import type { Dispatcher } from 'undici';
import { describeTarget } from './errors.js';
import { contentLengthOf } from './raw-headers.js';

/**
 * Wraps the handler of one streamed (raw) request so that its body cannot grow past `limit`: a
 * `content-length` above it fails the request when the headers arrive, and the body fails as
 * soon as more bytes than that have arrived. Either way the request is aborted, which destroys
 * the connection (the rest of an oversized body is never read). Works over any dispatcher, an
 * injected one included, through `Dispatcher.compose`.
 */
class SizeLimitHandler implements Dispatcher.DispatchHandler {
  readonly #inner: Dispatcher.DispatchHandler;
  readonly #limit: number;
  readonly #options: Dispatcher.DispatchOptions;
  #abort: ((error?: Error) => void) | undefined;
  #received = 0;

  constructor(inner: Dispatcher.DispatchHandler, limit: number, options: Dispatcher.DispatchOptions) {
    this.#inner = inner;
    this.#limit = limit;
    this.#options = options;
  }

  onConnect(abort: (error?: Error) => void, context?: unknown): void {
    this.#abort = abort;
    (this.#inner.onConnect as (abort: (error?: Error) => void, context?: unknown) => void)?.call(
      this.#inner,
      abort,
      context,
    );
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    if (statusCode >= 200) {
      const length = contentLengthOf(rawHeaders);
      if (length !== undefined && length > this.#limit) {
        this.#abort?.(new ResponseTooLargeError(this.#limit, this.#target(), length));
        return false;
      }
    }
    return this.#inner.onHeaders?.(statusCode, rawHeaders, resume, statusText) ?? true;
  }

  onData(chunk: Buffer): boolean {
    this.#received += chunk.length;
    if (this.#received > this.#limit) {
      this.#abort?.(new ResponseTooLargeError(this.#limit, this.#target()));
      return false;
    }
    return this.#inner.onData?.(chunk) ?? true;
  }

  onComplete(trailers: string[] | null): void {
    this.#inner.onComplete?.(trailers);
  }

  onError(error: Error): void {
    this.#inner.onError?.(error);
  }

  onUpgrade(
    statusCode: number,
    headers: Buffer[] | string[] | null,
    socket: import('node:stream').Duplex,
  ): void {
    this.#inner.onUpgrade?.(statusCode, headers, socket);
  }

  onResponseStarted(): void {
    this.#inner.onResponseStarted?.();
  }

  onBodySent(chunkSize: number, totalBytesSent: number): void {
    this.#inner.onBodySent?.(chunkSize, totalBytesSent);
  }

  #target(): string {
    const { method, origin, path } = this.#options;
    return describeTarget({ method, origin: String(origin), path, headers: {} });
  }
}

/** `dispatcher` with the size cap on every response it streams. */
export function limitResponseSize(dispatcher: Dispatcher, limit: number): Dispatcher {
  return dispatcher.compose(
    (dispatch) => (options, handler) => dispatch(options, new SizeLimitHandler(handler, limit, options)),
  );
}
