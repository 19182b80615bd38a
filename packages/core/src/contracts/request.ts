import type { RetryOptions } from './retry.js';
import type { RequestBody } from './transport.js';

/** The HTTP methods the engine sends. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'HEAD' | 'OPTIONS';

/** Query parameters: a value of `undefined` is left out; an array repeats the key. */
export type QueryParams = Record<
  string,
  string | number | boolean | undefined | null | ReadonlyArray<string | number | boolean>
>;

/** Options of one call (the seed's `**kwargs`). */
export interface CallOptions {
  /** Request headers. Interceptors may add to them in `beforeRequest`. */
  headers?: Record<string, string>;
  /** Query string parameters, appended to any query already in `path` (the seed's `params`). */
  query?: QueryParams | URLSearchParams;
  /** A value sent as JSON with `content-type: application/json`. Excludes `body`. */
  json?: unknown;
  /** A raw body (the seed's `data`). Excludes `json`. */
  body?: RequestBody;
  /**
   * Total time for the call in milliseconds, over all its attempts (discovery to last byte);
   * `TimeoutError` phase `total`. Each attempt gets what is left.
   */
  timeout?: number;
  /**
   * Milliseconds one attempt may take (to its last byte; a raw call's until its headers), so a
   * stalled instance costs this much and the call moves on to the next attempt; `TimeoutError`
   * phase `attempt` when no attempt is left. @default the engine's `perTryTimeout` (none unless configured)
   */
  perTryTimeout?: number;
  /**
   * When and how the call is retried; replaces the engine's settings key by key (see
   * `RetryOptions`), or `false` for no retry at all. @default the engine's `retry`
   */
  retry?: RetryOptions | false;
  /**
   * Hedging: milliseconds after which, while no answer has arrived, another attempt goes to
   * another instance (up to `retry.attempts` in all); the first answer wins and the others are
   * aborted. Only for the methods `retry.methods` lists (idempotent ones), never with a stream
   * body. `false` turns a configured delay off. @default the engine's `hedgeDelay` (none unless configured)
   */
  hedgeDelay?: number | false;
  /** Aborts the call; the call rejects with the signal's reason. */
  signal?: AbortSignal;
  /** `http` or `https`. @default the instance's `secure` flag, else 'http' */
  protocol?: 'http' | 'https';
  /**
   * Throw `HttpStatusError` for a non-2xx status. Raw calls never throw for a status.
   * @default true
   */
  throwHttpErrors?: boolean;
  /**
   * What `ctx.attributes` starts with for this call: copied (shallowly) before `beforeRequest`,
   * so interceptors write to the copy. Declarative clients set `endpoint` here.
   * @default none
   */
  attributes?: Readonly<Record<string, unknown>>;
}
