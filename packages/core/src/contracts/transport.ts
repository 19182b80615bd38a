/** Request headers as sent: lower- or mixed-case names, one string value each. */
export type OutgoingHeaders = Record<string, string>;

/** Response headers: lower-case names; a repeated header (set-cookie) is an array. */
export type IncomingHeaders = Readonly<Record<string, string | string[] | undefined>>;

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
  /** Per-request overrides of the transport's timeouts, in milliseconds. */
  readonly connectTimeout?: number;
  readonly readTimeout?: number;
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
 * Sends HTTP requests. Errors are the core's typed errors: `TimeoutError` (phase `connect` or
 * `read`), `ConnectionError` (refused, reset, TLS failure), and an `AbortError`-named
 * `DOMException` reason passed through unchanged when `signal` aborts.
 */
export interface Transport {
  /** `undici`, `fetch`, ... for errors and logs. */
  readonly name: string;
  send(request: TransportRequest): Promise<RawResponse>;
  /** Waits for requests in flight, then closes pooled connections. Idempotent. */
  close(): Promise<void>;
}
