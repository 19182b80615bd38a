import type { HttpMethod, QueryParams } from '../contracts/request.js';
import type { RetryOptions } from '../contracts/retry.js';
import type { Endpoint, TypeOnly } from './endpoint.js';
import type { PathParamNames, PathParams } from './path-template.js';
import type { StandardInput, StandardOutput, StandardSchemaV1 } from './standard-schema.js';

/*
 * The types a client derives from its endpoints: the argument of each endpoint method (from the
 * path template and the part specs) and its result (from the response spec). Nothing here exists
 * at runtime.
 */

/** Options of one declarative call besides its parts; each overrides the endpoint's and client's defaults. */
export interface EndpointCallSettings {
  /** Total time for the call in milliseconds. @default the endpoint's, else the client's, else the engine's */
  timeout?: number;
  /** Aborts the call; it rejects with the signal's reason. */
  signal?: AbortSignal;
  /** `http` or `https`. @default the instance's `secure` flag, else 'http' */
  protocol?: 'http' | 'https';
  /** Throw `HttpStatusError` for a non-2xx status. @default the endpoint's, else the client's, else true */
  throwHttpErrors?: boolean;
  /** Retries of this call, over the endpoint's and client's key by key; `false` for none. @default theirs */
  retry?: RetryOptions | false;
  /** Milliseconds one attempt may take. @default the endpoint's, else the client's, else the engine's */
  perTryTimeout?: number;
  /** Hedging after this many milliseconds, or `false` for none. @default the endpoint's, else the client's, else the engine's */
  hedgeDelay?: number | false;
}

/** The type a part spec accepts. */
type InputOf<S> = S extends StandardSchemaV1 ? StandardInput<S> : S extends TypeOnly<infer T> ? T : never;
/** The type a part spec produces. */
type OutputOf<S> = S extends StandardSchemaV1 ? StandardOutput<S> : S extends TypeOnly<infer T> ? T : never;

/** `{ key: T }`, or `{ key?: T }` when `T` accepts `undefined` or `{}` (nothing is required). */
type Field<K extends string, T> = undefined extends T
  ? { [F in K]?: T }
  : {} extends T
    ? { [F in K]?: T }
    : { [F in K]: T };

type PathArg<P extends string, S> = S extends { path: infer Schema extends StandardSchemaV1 }
  ? Field<'path', StandardInput<Schema>>
  : [PathParamNames<P>] extends [never]
    ? {}
    : { path: PathParams<P> };

type QueryArg<S> = S extends { query: infer Q }
  ? Field<'query', InputOf<Q>>
  : { query?: QueryParams | URLSearchParams };
type BodyArg<S> = S extends { body: infer B } ? Field<'body', InputOf<B>> : { body?: unknown };
type HeadersArg<S> = S extends { headers: infer H }
  ? Field<'headers', InputOf<H>>
  : { headers?: Readonly<Record<string, string>> };

type Flatten<T> = { [K in keyof T]: T[K] } & {};

/** The argument of an endpoint method: its parts (`path`, `query`, `body`, `headers`) and call settings. */
export type EndpointArgs<P extends string, S> = Flatten<
  PathArg<P, S> & QueryArg<S> & BodyArg<S> & HeadersArg<S> & EndpointCallSettings
>;

/** What an endpoint method resolves with: the response spec's output, else `unknown`. */
export type EndpointResult<S> = S extends { response: infer R } ? OutputOf<R> : unknown;

/** An endpoint as a function; the argument is optional when nothing in it is required. */
export type EndpointMethod<P extends string, S> =
  {} extends EndpointArgs<P, S>
    ? (args?: EndpointArgs<P, S>) => Promise<EndpointResult<S>>
    : (args: EndpointArgs<P, S>) => Promise<EndpointResult<S>>;

/** The endpoints of a client, by the name each method gets. */
export type Endpoints = { readonly [name: string]: Endpoint<HttpMethod, string, unknown> };

/** A client: one method per endpoint, typed from its definition. */
export type Client<E extends Endpoints> = {
  readonly [K in keyof E]: E[K] extends Endpoint<HttpMethod, infer P, infer S> ? EndpointMethod<P, S> : never;
};
