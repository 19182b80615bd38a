import type { AbortHookListener, TimeoutPhase, TransportRequest } from '@service-caller/core';
import { ClosedError, ResponseTooLargeError, TimeoutError } from '@service-caller/core';
import { describeTarget, toTransportError } from './errors.js';

/**
 * The timer's callback. Module-level, with the exchange as argument: no closure per request.
 * A wait that made progress since the timer was set (a chunk arrived, a new wait began) is not
 * over: the timer is set again for what is left of it.
 */
function expire(exchange: Exchange): void {
  exchange.expired();
}

/**
 * One request from `fetch()` to the end of its body: the `AbortController` handed to `fetch`,
 * which the caller's signal, the transport's timeouts and the size cap abort, and the one timer
 * behind the timeouts.
 *
 * `fetch` rejects (and errors the body stream) when its signal aborts; whatever it rejects with,
 * the exchange reports the abort's reason: the caller's own, the `TimeoutError` of the wait that
 * ran out, or the `ResponseTooLargeError`. It is itself the listener of the request's
 * `abortHook` (`handleAbort`, the engine's deadline: no signal is made for it) and of its
 * `signal` (`handleEvent`), so no closure is made per request.
 *
 * Timeouts bound time spent waiting on the server only: for the headers, then for each body
 * chunk while a read is pending. One timer serves them all: instead of being cleared and set
 * again for every chunk, it is checked when it fires and set again for what is left of the
 * current wait, so a body costs one timer, however many chunks it has.
 */
export class Exchange implements AbortHookListener {
  readonly request: TransportRequest;
  /** The largest body, in bytes. */
  readonly limit: number;
  readonly #controller = new AbortController();
  readonly #connectTimeout: number | undefined;
  readonly #readTimeout: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The current wait's bound and phase, and since when it is waited for; `waiting` false between reads. */
  #bound = 0;
  #phase: TimeoutPhase = 'read';
  #since = 0;
  #waiting = false;
  #received = 0;
  /** The body's `content-length`, when the headers gave one. */
  #announced: number | undefined = undefined;
  #finished = false;

  constructor(
    request: TransportRequest,
    connectTimeout: number | undefined,
    readTimeout: number,
    limit: number,
  ) {
    this.request = request;
    this.limit = limit;
    this.#connectTimeout = connectTimeout;
    this.#readTimeout = readTimeout;
    request.abortHook?.listen(this);
    request.signal?.addEventListener('abort', this);
  }

  /** The signal to hand to `fetch`. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Whether the body was read to its end, failed, or was given up. */
  get finished(): boolean {
    return this.#finished;
  }

  /** The request's signal aborted. */
  handleEvent(): void {
    this.abort(this.request.signal?.reason);
  }

  /** The request's abort hook aborted. */
  handleAbort(reason: unknown): void {
    this.abort(reason);
  }

  abort(reason: unknown): void {
    this.#controller.abort(reason);
  }

  /**
   * Starts the wait for headers. `fetch` cannot tell connecting from waiting for the server, so a
   * `connectTimeout` shorter than `readTimeout` bounds the whole wait and is reported as `connect`.
   */
  waitForHeaders(): void {
    const connect = this.#connectTimeout;
    const read = this.#readTimeout;
    if (connect !== undefined && connect < read) this.#wait(connect, 'connect');
    else this.#wait(read, 'read');
  }

  /**
   * The headers arrived: fails the exchange (and returns the error) when they announce a body
   * over the size cap.
   */
  headersArrived(response: Response): ResponseTooLargeError | undefined {
    this.#waiting = false;
    const announced = response.headers.get('content-length');
    if (announced === null) return undefined;
    const length = Number(announced);
    if (!(length > this.limit)) {
      if (Number.isSafeInteger(length) && length >= 0) this.#announced = length;
      return undefined;
    }
    const error = new ResponseTooLargeError(this.limit, describeTarget(this.request), length);
    this.abort(error);
    return error;
  }

  /** The body's `content-length`, when the headers announced one within the size cap. */
  get announced(): number | undefined {
    return this.#announced;
  }

  /** Starts the wait for the next body chunk: only time spent waiting on the server counts. */
  waitForChunk(): void {
    this.#wait(this.#readTimeout, 'read');
  }

  /**
   * A body chunk of `bytes` arrived. Fails the exchange (and returns the error) when the body has
   * grown past the size cap.
   */
  chunkArrived(bytes: number): ResponseTooLargeError | undefined {
    this.#waiting = false;
    this.#received += bytes;
    if (this.#received <= this.limit) return undefined;
    const error = new ResponseTooLargeError(this.limit, describeTarget(this.request));
    this.abort(error);
    return error;
  }

  /** The error to report for `error`: an abort's reason when aborted, else the typed error. */
  failure(error: unknown): unknown {
    const signal = this.#controller.signal;
    if (signal.aborted) return signal.reason;
    return toTransportError(error, this.request, this.#connectTimeout);
  }

  /** The exchange is over: stop the timer and stop listening to the caller's signal. Idempotent. */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#waiting = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const request = this.request;
    request.abortHook?.unlisten(this);
    request.signal?.removeEventListener('abort', this);
  }

  /** Gives up a body that is still arriving; a read in progress rejects with `ClosedError`. */
  abandon(): void {
    if (this.#finished) return;
    this.abort(new ClosedError(`the response to ${describeTarget(this.request)}`));
    this.finish();
  }

  /** The timer fired. @internal */
  expired(): void {
    this.#timer = undefined;
    // Between reads nothing is waited for; the next read sets the timer again.
    if (!this.#waiting || this.#finished) return;
    const left = this.#bound - (performance.now() - this.#since);
    if (left > 0) this.#timer = setTimeout(expire, left, this);
    else this.abort(new TimeoutError(this.#phase, this.#bound, describeTarget(this.request)));
  }

  #wait(bound: number, phase: TimeoutPhase): void {
    this.#bound = bound;
    this.#phase = phase;
    this.#since = performance.now();
    this.#waiting = true;
    // A timer already running fires early at worst, and is then set again for the rest.
    if (this.#timer === undefined) this.#timer = setTimeout(expire, bound, this);
  }
}
