import type { TimeoutPhase, TransportRequest } from '@service-caller/core';
import { ClosedError, TimeoutError } from '@service-caller/core';
import { describeTarget, toTransportError } from './errors.js';

function expire(exchange: Exchange, phase: TimeoutPhase, ms: number): void {
  exchange.abort(new TimeoutError(phase, ms, describeTarget(exchange.request)));
}

/**
 * One request from `fetch()` to the end of its body: the `AbortController` handed to `fetch`,
 * which both the caller's signal and the transport's timers abort, and those timers.
 *
 * `fetch` rejects (and errors the body stream) when its signal aborts; whatever it rejects with,
 * the exchange reports the abort's reason: the caller's own, or the `TimeoutError` of the timer
 * that fired. It is the signal's listener itself (`handleEvent`), so no closure is made per request.
 */
export class Exchange {
  readonly request: TransportRequest;
  readonly #controller = new AbortController();
  readonly #connectTimeout: number | undefined;
  readonly #readTimeout: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #finished = false;

  constructor(request: TransportRequest, connectTimeout: number | undefined, readTimeout: number) {
    this.request = request;
    this.#connectTimeout = connectTimeout;
    this.#readTimeout = readTimeout;
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

  /** The caller's signal aborted. */
  handleEvent(): void {
    this.abort(this.request.signal?.reason);
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
    if (connect !== undefined && connect < read)
      this.#timer = setTimeout(expire, connect, this, 'connect', connect);
    else this.#timer = setTimeout(expire, read, this, 'read', read);
  }

  /** Starts the wait for the next body chunk: only time spent waiting on the server counts. */
  waitForChunk(): void {
    this.#timer = setTimeout(expire, this.#readTimeout, this, 'read', this.#readTimeout);
  }

  /** The awaited headers or chunk arrived. */
  arrived(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
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
    this.arrived();
    this.request.signal?.removeEventListener('abort', this);
  }

  /** Gives up a body that is still arriving; a read in progress rejects with `ClosedError`. */
  abandon(): void {
    if (this.#finished) return;
    this.abort(new ClosedError(`the response to ${describeTarget(this.request)}`));
    this.finish();
  }
}
