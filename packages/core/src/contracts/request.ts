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
  /** Total time for the call in milliseconds, connect to last byte; `TimeoutError` phase `total`. */
  timeout?: number;
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
