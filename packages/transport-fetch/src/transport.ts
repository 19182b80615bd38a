import type { BufferedResponse, RawResponse, Transport, TransportRequest } from '@service-caller/core';
import { ClosedError, InvalidRequestError } from '@service-caller/core';
import { FetchBufferedResponse } from './buffered-response.js';
import { describeTarget } from './errors.js';
import { Exchange } from './exchange.js';
import { type FetchTransportOptions, type NormalizedFetchOptions, normalizeOptions } from './options.js';
import { FetchRawResponse, readWhole } from './response.js';

function requestTimeout(request: TransportRequest, key: 'connectTimeout' | 'readTimeout', fallback?: number) {
  const value = request[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidRequestError(
      `[fetch] ${describeTarget(request)}: ${key} must be a positive, finite number of milliseconds, found ${String(value)}`,
    );
  }
  return value;
}

class FetchTransport implements Transport {
  readonly name = 'fetch';
  /** The exchange listens to the hook itself: the engine's deadline makes no signal of its own. */
  readonly usesAbortHook = true;
  readonly #options: NormalizedFetchOptions;
  #inFlight = 0;
  #drained: (() => void) | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: NormalizedFetchOptions) {
    this.#options = options;
  }

  async send(request: TransportRequest): Promise<RawResponse> {
    this.#inFlight++;
    try {
      const { response, exchange } = await this.#fetch(request);
      if (response.body === null) exchange.finish();
      return new FetchRawResponse(response, exchange);
    } finally {
      this.#settled();
    }
  }

  /** The request with its body read whole, for parsed calls: no stream wrapper, one step less. */
  async sendBuffered(request: TransportRequest): Promise<BufferedResponse> {
    this.#inFlight++;
    try {
      const { response, exchange } = await this.#fetch(request);
      const bytes = await readWhole(response, exchange);
      return new FetchBufferedResponse(response, request, bytes);
    } finally {
      this.#settled();
    }
  }

  /** Calls `fetch` for `request` and waits for the headers, within the timeouts and the size cap. */
  async #fetch(request: TransportRequest): Promise<{ response: Response; exchange: Exchange }> {
    if (this.#closing) throw new ClosedError('the fetch transport');
    const hook = request.abortHook;
    if (hook?.aborted) throw hook.reason;
    const signal = request.signal;
    if (signal?.aborted) throw signal.reason;
    const options = this.#options;
    const readTimeout = requestTimeout(request, 'readTimeout', options.readTimeout) as number;
    const connectTimeout = requestTimeout(request, 'connectTimeout', options.connectTimeout);
    const exchange = new Exchange(request, connectTimeout, readTimeout, options.maxResponseSize);
    const body = request.body ?? undefined;
    const init = options.initFor(request.method, request.headers, body, exchange.signal);
    exchange.waitForHeaders();
    let response: Response;
    try {
      // Called bare, not as a method of options: workerd's fetch throws "Illegal invocation"
      // when its `this` is any object but the global scope.
      const fetch = options.fetch;
      response = await fetch(request.origin + request.path, init);
    } catch (error) {
      exchange.finish();
      throw exchange.failure(error);
    }
    const tooLarge = exchange.headersArrived(response);
    if (tooLarge !== undefined) {
      exchange.finish();
      // Cancelling drops the connection: the rest of the body is never read.
      await response.body?.cancel().catch(() => {});
      throw tooLarge;
    }
    return { response, exchange };
  }

  #settled(): void {
    if (--this.#inFlight === 0) this.#drained?.();
  }

  close(): Promise<void> {
    this.#closing ??= this.#drain();
    return this.#closing;
  }

  async #drain(): Promise<void> {
    if (this.#inFlight === 0) return;
    await new Promise<void>((resolve) => {
      this.#drained = resolve;
    });
  }
}

/**
 * A service-caller transport on the WHATWG `fetch`, for runtimes without undici (Deno, Bun, edge
 * workers) or for routing requests through an instrumented `fetch`.
 *
 * Errors are the core's: `TimeoutError` (`read` for headers and body chunks; `connect` only from
 * `connectTimeout`, see its note), `ConnectionError` (refused, reset, TLS), `InvalidRequestError`,
 * `ClosedError` after `close()`; an abort rejects with the signal's reason unchanged. Connections
 * belong to the runtime's `fetch`: `close()` stops new requests and waits for those in flight.
 * Bad options throw `ConfigError`.
 *
 * @example
 * ```ts
 * const transport = fetchTransport({ readTimeout: 5000 });
 * await using res = await transport.send({ method: 'GET', origin: 'http://127.0.0.1:8080', path: '/hello', headers: {} });
 * console.log(res.status, await res.text());
 * ```
 */
export function fetchTransport(options?: FetchTransportOptions): Transport {
  return new FetchTransport(normalizeOptions(options));
}
