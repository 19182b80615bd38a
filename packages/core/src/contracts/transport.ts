/** Request headers as sent: lower- or mixed-case names, one string value each. */
export type OutgoingHeaders = Record<string, string>;

/** Response headers: lower-case names; a repeated header (set-cookie) is an array. */
export type IncomingHeaders = Readonly<Record<string, string | string[] | undefined>>;

/**
 * The size cap transports apply to a response body unless told otherwise: 64 MiB. Far above
 * what a JSON API returns, far below what would exhaust a Node process's heap once parsed (a
 * parsed JSON value takes several times its text); a body past it fails with
 * `ResponseTooLargeError` and its connection is dropped. `service-caller.max-response-size`
 * (the transports' `maxResponseSize`) changes it.
 */
export const DEFAULT_MAX_RESPONSE_SIZE = 64 * 1024 * 1024;

/** A body the transports know how to send. */
export type RequestBody = string | Uint8Array | ArrayBuffer | URLSearchParams | ReadableStream<Uint8Array>;

/** One HTTP request, fully resolved: the engine has chosen the instance and built the URL. */
export interface TransportRequest {
  readonly method: string;
  /** `http://host:port` or `https://host:port`, no trailing slash. */
  readonly origin: string;
  /** Path plus query string, starting with `/`. */
  readonly path: string;
  readonly headers: OutgoingHeaders;
  readonly body?: RequestBody | null;
  /** Aborts the request: before connect, while waiting for headers, or while reading the body. */
  readonly signal?: AbortSignal;
  /**
   * Aborts the request as `signal` does, without an `AbortSignal`: the call's total timeout (and
   * the caller's signal, and the engine's `close()`), for a transport that says it reads it
   * (`Transport.usesAbortHook`). The engine passes it to such a transport instead of `signal`,
   * which saves an `AbortController` per call; a transport that does not say so gets `signal`
   * as before and never sees this. A request may carry both (each one aborts it).
   */
  readonly abortHook?: AbortHook;
  /** Per-request overrides of the transport's timeouts, in milliseconds. */
  readonly connectTimeout?: number;
  readonly readTimeout?: number;
}

/**
 * What an {@link AbortHook} tells when it aborts. A method rather than a function, so that the
 * object that does the request (a handler, an exchange) can listen itself, with no closure per
 * request.
 */
export interface AbortHookListener {
  /** The request is aborted with `reason` (a `TimeoutError`, the caller's signal's reason, ...). */
  handleAbort(reason: unknown): void;
}

/**
 * A request's abort, cheaper than an `AbortSignal` when nothing aborts it (the common case): no
 * `AbortController`, no `EventTarget`. See `TransportRequest.abortHook`.
 */
export interface AbortHook {
  /** Whether it has aborted; `reason` then says why. */
  readonly aborted: boolean;
  /** The abort's reason, `undefined` until it aborts. */
  readonly reason: unknown;
  /**
   * The same abort as an `AbortSignal`, for an API that takes only a signal: made on first read
   * (what the hook saves is then spent), aborted with the same reason.
   */
  readonly signal: AbortSignal;
  /**
   * `listener.handleAbort(reason)` is called once when the hook aborts (synchronously, in the
   * order listeners were added). Listening to a hook that has already aborted does nothing:
   * check `aborted` first. Listening twice with one listener calls it twice.
   */
  listen(listener: AbortHookListener): void;
  /** Stops `listener` from being called. Does nothing for a listener not listening. */
  unlisten(listener: AbortHookListener): void;
}

/**
 * A response whose body has not been read yet. Read it once (`json`, `text`, `bytes`,
 * `arrayBuffer` or `body`), or dispose it: an unread body holds a pooled connection until then.
 * `await using res = ...` disposes it at scope end.
 */
export interface RawResponse extends AsyncDisposable {
  readonly status: number;
  readonly statusText: string;
  readonly headers: IncomingHeaders;
  /** The URL the request was sent to. */
  readonly url: string;
  /** Whether the body has been read or disposed. */
  readonly bodyUsed: boolean;
  /** The body as a web stream; reading it marks the body used. */
  readonly body: ReadableStream<Uint8Array> | null;
  json<T = unknown>(): Promise<T>;
  text(): Promise<string>;
  bytes(): Promise<Uint8Array>;
  arrayBuffer(): Promise<ArrayBuffer>;
  /** Discards the rest of the body and releases the connection. Idempotent. */
  dispose(): Promise<void>;
}

/**
 * A response whose body the transport has already read whole (`Transport.sendBuffered`). The
 * bytes are in `bodyBytes`; as a `RawResponse` it is already used (`bodyUsed` is true, the
 * readers refuse with `InvalidRequestError`, `dispose()` does nothing), which is how the engine
 * hands a parsed call's response to interceptors.
 */
export interface BufferedResponse extends RawResponse {
  /** The whole body; empty when there was none. */
  readonly bodyBytes: Uint8Array;
  /** `bodyBytes` decoded as UTF-8 (a leading byte order mark dropped, as `fetch`'s `text()` does). */
  bodyText(): string;
  /**
   * One header's value (the first, for a repeated one), `name` in lower case, without building
   * `headers`: the engine reads the content type this way.
   */
  header(name: string): string | undefined;
}

/**
 * Sends HTTP requests. Errors are the core's typed errors: `TimeoutError` (phase `connect` or
 * `read`), `ConnectionError` (refused, reset, TLS failure), `ResponseTooLargeError` (a body over
 * the transport's size cap), and an `AbortError`-named `DOMException` reason passed through
 * unchanged when `signal` aborts.
 */
export interface Transport {
  /** `undici`, `fetch`, ... for errors and logs. */
  readonly name: string;
  /**
   * Optional: `true` when the transport aborts a request on its `abortHook` as on its `signal`.
   * The engine then passes the call's total timeout as `abortHook` alone (no `AbortController`
   * per call); without it, requests carry `signal` only, as before.
   */
  readonly usesAbortHook?: boolean;
  /** Sends `request` and resolves when the headers have arrived, with the body still to be read. */
  send(request: TransportRequest): Promise<RawResponse>;
  /**
   * Optional: sends `request` and resolves once the whole body has been read, for callers that
   * want the body parsed rather than streamed. The engine uses it for parsed calls when the
   * transport has it and `send` otherwise, so a transport without it works unchanged; one with it
   * can skip building a stream per call. Same errors as `send`, reading errors included; the size
   * cap rejects with `ResponseTooLargeError` and drops the connection.
   */
  sendBuffered?(request: TransportRequest): Promise<BufferedResponse>;
  /** Waits for requests in flight, then closes pooled connections. Idempotent. */
  close(): Promise<void>;
}
