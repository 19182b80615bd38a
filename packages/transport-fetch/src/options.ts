import { DEFAULT_MAX_RESPONSE_SIZE, type OutgoingHeaders, type RequestBody } from '@service-caller/core';
import { optionReader } from '@service-caller/core/adapter';

/**
 * Extra `RequestInit` fields sent with every request (`cache`, `credentials`, `keepalive`,
 * `redirect`, `priority`, or a runtime's own such as Node's `dispatcher` or Deno's `client`).
 * The transport owns `method`, `headers`, `body` and `signal`.
 */
export type FetchInitExtras = Omit<RequestInit, 'method' | 'headers' | 'body' | 'signal' | 'dispatcher'> & {
  /**
   * Node's undici dispatcher (an `Agent` for TLS settings). Typed loosely on purpose:
   * `@types/node` types it with the undici-types its own Node ships, which an `Agent` from the
   * `undici` package of another major version does not satisfy.
   */
  dispatcher?: object;
  [runtimeSpecific: string]: unknown;
};

/**
 * Options of {@link fetchTransport}.
 *
 * @example
 * ```ts
 * const transport = fetchTransport({ readTimeout: 10_000, init: { keepalive: true } });
 * ```
 */
export interface FetchTransportOptions {
  /**
   * The `fetch` to call: a wrapped or instrumented one, or a polyfill.
   * @default globalThis.fetch, looked up when the transport is created
   */
  fetch?: typeof fetch;
  /**
   * Milliseconds for the response headers to arrive, reported as `TimeoutError` phase `connect`.
   * `fetch` does not say when the connection is made, so this bounds the whole wait for headers;
   * it only takes effect when shorter than `readTimeout`. A request can override it.
   * @default none: `readTimeout` bounds the wait for headers (and the runtime's own connect timeout applies, 10 s on Node)
   */
  connectTimeout?: number;
  /**
   * Milliseconds to wait for the response headers, and for each body chunk while the body is
   * being read; `TimeoutError` phase `read`. A request can override it.
   * @default 6000
   */
  readTimeout?: number;
  /**
   * Extra `RequestInit` fields for every request. `redirect` defaults to `'manual'`: a transport
   * never follows a redirect to a host that discovery did not choose.
   * @default { redirect: 'manual' }
   */
  init?: FetchInitExtras;
  /**
   * The largest response body, in bytes (the config's `service-caller.max-response-size`), for
   * bodies read whole and streamed alike: a `content-length` above it fails when the headers
   * arrive, a body that grows past it fails as it does, with `ResponseTooLargeError`, and the
   * request is aborted (which closes its connection).
   * @default 67108864 (64 MiB, `DEFAULT_MAX_RESPONSE_SIZE`)
   */
  maxResponseSize?: number;
}

/** The options with defaults applied: the one place defaults live. */
export interface NormalizedFetchOptions {
  readonly fetch: typeof fetch;
  readonly connectTimeout: number | undefined;
  readonly readTimeout: number;
  /** The `RequestInit` fields every request starts from. */
  readonly init: FetchInitExtras;
  readonly maxResponseSize: number;
  /** The `RequestInit` of one request: `init` plus what the request says. */
  readonly initFor: (
    method: string,
    headers: OutgoingHeaders,
    body: RequestBody | undefined,
    signal: AbortSignal,
  ) => RequestInit;
}

/**
 * Builds each request's `RequestInit`. With the default extras (`redirect: 'manual'` alone) it
 * is one object literal of a fixed shape; with others, a copy of them plus the request's fields.
 */
function initBuilder(init: FetchInitExtras): NormalizedFetchOptions['initFor'] {
  const keys = Object.keys(init);
  if (keys.length === 1 && keys[0] === 'redirect') {
    const redirect = init.redirect;
    return (method, headers, body, signal) =>
      // A stream body needs half duplex, which is what every runtime implements.
      body instanceof ReadableStream
        ? ({ redirect, method, headers, body, signal, duplex: 'half' } as RequestInit)
        : { redirect, method, headers, body, signal };
  }
  return (method, headers, body, signal) => {
    // `init.dispatcher` is typed loosely (see FetchInitExtras); the runtime takes what it is given.
    const built = { ...init, method, headers, body, signal } as RequestInit & { duplex?: 'half' };
    if (body instanceof ReadableStream) built.duplex = 'half';
    return built;
  };
}

const read = optionReader('fetchTransport() options', { wording: 'code' });
const OWNED_INIT_KEYS = ['method', 'headers', 'body', 'signal'] as const;

/** Validates the options and applies the defaults. Throws `ConfigError` naming the bad option. */
export function normalizeOptions(options: FetchTransportOptions = {}): NormalizedFetchOptions {
  if (typeof options !== 'object' || options === null) {
    throw read.error('', 'an options object', options);
  }
  const fetchFunction = options.fetch ?? globalThis.fetch;
  if (typeof fetchFunction !== 'function') {
    throw read.error(
      'fetch',
      'a fetch function',
      fetchFunction,
      options.fetch === undefined ? 'this runtime has no global fetch; pass one' : undefined,
    );
  }
  const init = options.init;
  if (init !== undefined && (typeof init !== 'object' || init === null || Array.isArray(init))) {
    throw read.error('init', 'a RequestInit object', init);
  }
  const owned = init && OWNED_INIT_KEYS.find((key) => (init as Record<string, unknown>)[key] !== undefined);
  if (owned) {
    throw read.error(
      `init.${owned}`,
      'no value: the transport sets it from each request',
      (init as Record<string, unknown>)[owned],
    );
  }
  const extras: FetchInitExtras = { redirect: 'manual', ...init };
  return {
    fetch: fetchFunction,
    connectTimeout: read.milliseconds(options.connectTimeout, 'connectTimeout'),
    readTimeout: read.milliseconds(options.readTimeout, 'readTimeout', 6000),
    init: extras,
    maxResponseSize: read.positiveInteger(
      options.maxResponseSize,
      'maxResponseSize',
      DEFAULT_MAX_RESPONSE_SIZE,
    ),
    initFor: initBuilder(extras),
  };
}
