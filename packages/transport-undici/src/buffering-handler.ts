import {
  type AbortHookListener,
  type BufferedResponse,
  ResponseTooLargeError,
  type TransportRequest,
} from '@service-caller/core';
import type { Dispatcher } from 'undici';
import { UndiciBufferedResponse } from './buffered-response.js';
import { describeTarget, toTransportError } from './errors.js';
import { CONTENT_LENGTH, CONTENT_TYPE, contentLength, isHeaderName } from './raw-headers.js';

/**
 * What undici's `dispatch` calls for one `sendBuffered` request: it collects the body, bounded
 * by the size cap, and settles the request's promise with a `BufferedResponse` or the typed
 * error. This is the whole of what a parsed call needs from undici, without the `Readable`, the
 * `AsyncResource` and the consume promise `request()` + `body.json()` make per request.
 *
 * `onSettled` runs once when the promise settles (the transport counts requests in flight).
 * {@link BufferingHandler.dispatch} makes the handler, its promise and the dispatch in one step.
 *
 * Timeouts are undici's per-request `headersTimeout` / `bodyTimeout` (dispatch options) and its
 * connect timeout; the caller's abort is wired here: the handler is the listener of the
 * request's `abortHook` (`handleAbort`, the engine's deadline: no signal is made) or of its
 * `signal` (`handleEvent`), so no closure is made per request. undici's handler methods used are its
 * original (`onConnect`, `onHeaders`, ...) set, which its own `request()` uses and which skips
 * the header parsing and wrappers of the newer controller-based set.
 */
export class BufferingHandler implements Dispatcher.DispatchHandler, AbortHookListener {
  /** The handler whose promise is being made, for {@link BufferingHandler.#capture}. */
  static #making: BufferingHandler | undefined;

  /**
   * The promise executor, one function for every request: it hands the resolvers to the handler
   * being made, where an arrow function would be a closure (and a context) per request.
   */
  static #capture(resolve: (response: BufferedResponse) => void, reject: (error: unknown) => void): void {
    const handler = BufferingHandler.#making!;
    handler.#resolve = resolve;
    handler.#reject = reject;
  }

  /**
   * Dispatches `options` on `dispatcher` with a new handler for `request`; the promise settles
   * with the response read whole or with the typed error. A dispatcher that throws rather than
   * calling `onError` (undici's never do) fails the request the same way.
   */
  static dispatch(
    dispatcher: Dispatcher,
    options: Dispatcher.DispatchOptions,
    request: TransportRequest,
    limit: number,
    connectTimeout: number,
    readTimeout: number,
    onSettled: () => void,
  ): Promise<BufferedResponse> {
    const handler = new BufferingHandler(request, limit, connectTimeout, readTimeout, onSettled);
    BufferingHandler.#making = handler;
    const promise = new Promise<BufferedResponse>(BufferingHandler.#capture);
    BufferingHandler.#making = undefined;
    try {
      dispatcher.dispatch(options, handler);
    } catch (error) {
      handler.onError(error as Error);
    }
    return promise;
  }

  readonly #request: TransportRequest;
  readonly #limit: number;
  readonly #connectTimeout: number;
  readonly #readTimeout: number;
  readonly #onSettled: () => void;
  // Set by #capture before anything can settle the promise.
  #resolve!: (response: BufferedResponse) => void;
  #reject!: (error: unknown) => void;
  #abort: ((error?: Error) => void) | undefined;
  #settled = false;
  #status = 0;
  #statusText = '';
  #rawHeaders: Buffer[] | undefined;
  #contentType: string | undefined;
  #first: Buffer | undefined;
  #chunks: Buffer[] | undefined;
  #length = 0;

  private constructor(
    request: TransportRequest,
    limit: number,
    connectTimeout: number,
    readTimeout: number,
    onSettled: () => void,
  ) {
    this.#request = request;
    this.#limit = limit;
    this.#connectTimeout = connectTimeout;
    this.#readTimeout = readTimeout;
    this.#onSettled = onSettled;
    request.abortHook?.listen(this);
    request.signal?.addEventListener('abort', this);
  }

  /** The request's signal aborted. */
  handleEvent(): void {
    this.handleAbort(this.#request.signal!.reason);
  }

  /**
   * The request is aborted (its hook, or its signal). A request still queued for a connection
   * has nothing to abort yet: the caller hears at once, and `onConnect` aborts it when undici
   * gets to it.
   */
  handleAbort(reason: unknown): void {
    if (this.#abort !== undefined) this.#abort(reason as Error);
    else this.#fail(reason);
  }

  onConnect(abort: (error?: Error) => void): void {
    const request = this.#request;
    const hook = request.abortHook;
    const signal = request.signal;
    if (hook?.aborted) abort(hook.reason as Error);
    else if (signal?.aborted) abort(signal.reason);
    else this.#abort = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], _resume: () => void, statusText: string): boolean {
    // 1xx: an interim answer; the real one follows.
    if (statusCode < 200) return true;
    // One pass for the two headers needed now: the size, to refuse an oversized body before it
    // arrives, and the type, which the engine reads on every call.
    let length: number | undefined;
    for (let i = 0; i < rawHeaders.length; i += 2) {
      const name = rawHeaders[i]!;
      if (isHeaderName(name, CONTENT_LENGTH)) length = contentLength(rawHeaders[i + 1]!);
      else if (isHeaderName(name, CONTENT_TYPE)) this.#contentType = rawHeaders[i + 1]!.toString('latin1');
    }
    if (length !== undefined && length > this.#limit) {
      this.#abort!(new ResponseTooLargeError(this.#limit, describeTarget(this.#request), length));
      return false;
    }
    this.#status = statusCode;
    this.#statusText = statusText;
    this.#rawHeaders = rawHeaders;
    return true;
  }

  onData(chunk: Buffer): boolean {
    const length = this.#length + chunk.length;
    if (length > this.#limit) {
      // Aborting destroys the connection: the rest of an oversized body is never read.
      this.#abort!(new ResponseTooLargeError(this.#limit, describeTarget(this.#request)));
      return false;
    }
    this.#length = length;
    if (this.#first === undefined) this.#first = chunk;
    else if (this.#chunks === undefined) this.#chunks = [this.#first, chunk];
    else this.#chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#letGo();
    this.#onSettled();
    this.#resolve(
      new UndiciBufferedResponse(
        this.#request,
        this.#status,
        this.#statusText,
        this.#rawHeaders!,
        this.#contentType,
        this.#first,
        this.#chunks,
        this.#length,
      ),
    );
  }

  onError(error: Error): void {
    this.#fail(toTransportError(error, this.#request, this.#connectTimeout, this.#readTimeout));
  }

  #fail(error: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#letGo();
    this.#onSettled();
    this.#reject(error);
  }

  /** Stops listening to the request's abort. */
  #letGo(): void {
    const request = this.#request;
    request.abortHook?.unlisten(this);
    request.signal?.removeEventListener('abort', this);
  }
}
