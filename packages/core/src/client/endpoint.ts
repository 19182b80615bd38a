import type { HttpMethod } from '../contracts/request.js';
import { InvalidRequestError } from '../errors/index.js';
import { type EndpointDefaults, type NormalizedDefaults, normalizeDefaults } from './defaults.js';
import { type CompiledPath, compilePath, type PathParams } from './path-template.js';
import type { StandardSchemaV1 } from './standard-schema.js';

const TYPE_ONLY_MARK = '~typeOnly';

/**
 * A type-only declaration of a part: it gives the part a TypeScript type and validates nothing
 * at runtime (like `manager.get<T>()`). Made by {@link typed}.
 */
export interface TypeOnly<T> {
  readonly '~typeOnly': true;
  /** Type-level only; never present at runtime. */
  readonly '~type'?: T;
}

const TYPE_ONLY: TypeOnly<unknown> = Object.freeze({ [TYPE_ONLY_MARK]: true as const });

/**
 * Declares the type of a part without a schema: `response: typed<User>()`. Nothing is checked at
 * runtime; prefer a schema for data you do not control.
 *
 * @example
 * ```ts
 * const users = createClient(manager, 'user-service', {
 *   getUser: get('/users/{id}', { response: typed<User>() }),
 * });
 * const user: User = await users.getUser({ path: { id: 7 } });
 * ```
 */
export function typed<T>(): TypeOnly<T> {
  return TYPE_ONLY as TypeOnly<T>;
}

/** What describes a part: a Standard Schema (validated) or `typed<T>()` (type only). */
export type PartSpec = StandardSchemaV1 | TypeOnly<unknown>;

/**
 * How an endpoint's parts are described, and its defaults. Every key is optional.
 * A schema checks the part at runtime (request parts before sending, the response after it
 * arrived) and types it; `typed<T>()` only types it.
 */
export interface EndpointSpec<P extends string = string> {
  /**
   * A schema for the path parameters (an object with one key per `{name}`), e.g. to accept only
   * numeric ids or to transform values. Without one, each parameter is `string | number`.
   */
  path?: StandardSchemaV1<unknown, PathParams<P>>;
  /** The query parameters (`args.query`). Without a spec: `QueryParams | URLSearchParams`. */
  query?: PartSpec;
  /**
   * The body (`args.body`): sent as JSON, except a `Uint8Array`, `ArrayBuffer`,
   * `URLSearchParams` or `ReadableStream`, which are sent as they are.
   */
  body?: PartSpec;
  /** The call's own headers (`args.headers`), checked before the defaults are added. */
  headers?: PartSpec;
  /** The parsed response body; the call resolves with the schema's output. Without a spec: `unknown`. */
  response?: PartSpec;
  /** Headers, timeout and `throwHttpErrors` for every call of this endpoint. */
  defaults?: EndpointDefaults;
}

const SPEC_KEYS: ReadonlySet<string> = new Set(['path', 'query', 'body', 'headers', 'response', 'defaults']);
const PART_KEYS = ['path', 'query', 'body', 'headers', 'response'] as const;
// A registered symbol: endpoints made by another copy of the package are still recognised.
const ENDPOINT = Symbol.for('service-caller.endpoint');
const METHODS: ReadonlySet<string> = new Set<HttpMethod>([
  'GET',
  'POST',
  'PUT',
  'DELETE',
  'PATCH',
  'HEAD',
  'OPTIONS',
]);

/** The schemas of an endpoint's parts that validate at runtime (type-only parts are absent). */
export interface EndpointSchemas {
  readonly path: StandardSchemaV1 | undefined;
  readonly query: StandardSchemaV1 | undefined;
  readonly body: StandardSchemaV1 | undefined;
  readonly headers: StandardSchemaV1 | undefined;
  readonly response: StandardSchemaV1 | undefined;
  /** Whether any part has a schema: without one, a call takes the plain path. */
  readonly any: boolean;
}

/**
 * One endpoint of a service, made by {@link get}, {@link post}, ... or {@link endpoint}: what to
 * call and how its parts look. The type parameters carry the method, the literal path template
 * and the spec, from which a client infers its arguments and result.
 */
export interface Endpoint<M extends HttpMethod = HttpMethod, P extends string = string, S = EndpointSpec<P>> {
  readonly method: M;
  /** The path template, e.g. `/users/{id}`. */
  readonly path: P;
  readonly spec: S;
  /** @internal The template split once into literals and names. */
  readonly compiled: CompiledPath;
  /** @internal */
  readonly schemas: EndpointSchemas;
  /** @internal The endpoint's own defaults, checked (not yet merged with a client's). */
  readonly defaults: EndpointDefaults | undefined;
}

/** Whether `value` was made by `endpoint()` (or `get()`, `post()`, ...), also across package copies. */
export function isEndpoint(value: unknown): value is Endpoint {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[ENDPOINT] === true;
}

function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  const props = (value as Partial<StandardSchemaV1>)['~standard'];
  return typeof props === 'object' && props !== null && typeof props.validate === 'function';
}

function isTypeOnly(value: unknown): boolean {
  return (
    typeof value === 'object' && value !== null && (value as Record<string, unknown>)[TYPE_ONLY_MARK] === true
  );
}

/**
 * Declares an endpoint with any method. `get`, `post`, `put`, `patch`, `del`, `head` and
 * `options` are this with the method filled in.
 *
 * `path` is a template: `{name}` placeholders become the call's `path` argument, typed from the
 * template (`'/users/{id}'` needs `{ path: { id } }`); each value is percent-encoded on its own.
 * Throws `InvalidRequestError` for a malformed template or spec.
 *
 * @example
 * ```ts
 * const getUser = endpoint('GET', '/users/{id}', { response: User });
 * ```
 */
export function endpoint<M extends HttpMethod, P extends string, S extends EndpointSpec<P> = {}>(
  method: M,
  path: P,
  spec?: S,
): Endpoint<M, P, S> {
  if (typeof method !== 'string' || !METHODS.has(method)) {
    throw new InvalidRequestError(
      `invalid endpoint method ${JSON.stringify(method)}: expected one of ${[...METHODS].join(', ')}`,
    );
  }
  const compiled = compilePath(path);
  const where = `endpoint ${method} ${path}`;
  const given = (spec ?? {}) as EndpointSpec;
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw new InvalidRequestError(`invalid ${where}: the spec must be an object`);
  }
  for (const key of Object.keys(given)) {
    if (!SPEC_KEYS.has(key)) {
      throw new InvalidRequestError(
        `invalid ${where}: unknown spec key '${key}' (expected ${[...SPEC_KEYS].join(', ')})`,
      );
    }
  }
  const schemas: Record<(typeof PART_KEYS)[number], StandardSchemaV1 | undefined> = {
    path: undefined,
    query: undefined,
    body: undefined,
    headers: undefined,
    response: undefined,
  };
  let any = false;
  for (const part of PART_KEYS) {
    const value = given[part];
    if (value === undefined) continue;
    if (isStandardSchema(value)) {
      schemas[part] = value;
      any = true;
    } else if (!isTypeOnly(value) || part === 'path') {
      throw new InvalidRequestError(
        `invalid ${where}: spec.${part} must be a Standard Schema (zod, valibot, arktype, ...)${
          part === 'path' ? '' : ' or typed<T>()'
        }`,
      );
    }
  }
  // Checked now, merged with a client's defaults when a client is made.
  normalizeDefaults(given.defaults, `${where} defaults`);
  return Object.freeze({
    method,
    path,
    spec: given as S,
    compiled,
    schemas: Object.freeze({ ...schemas, any }),
    defaults: given.defaults,
    [ENDPOINT]: true,
  });
}

/** Merges an endpoint's defaults over a client's. */
export function endpointDefaults(definition: Endpoint, client: NormalizedDefaults): NormalizedDefaults {
  return normalizeDefaults(
    definition.defaults,
    `endpoint ${definition.method} ${definition.path} defaults`,
    client,
  );
}

/** A `GET` endpoint; see {@link endpoint}. */
export function get<P extends string, S extends EndpointSpec<P> = {}>(
  path: P,
  spec?: S,
): Endpoint<'GET', P, S> {
  return endpoint('GET', path, spec);
}

/** A `POST` endpoint; see {@link endpoint}. */
export function post<P extends string, S extends EndpointSpec<P> = {}>(
  path: P,
  spec?: S,
): Endpoint<'POST', P, S> {
  return endpoint('POST', path, spec);
}

/** A `PUT` endpoint; see {@link endpoint}. */
export function put<P extends string, S extends EndpointSpec<P> = {}>(
  path: P,
  spec?: S,
): Endpoint<'PUT', P, S> {
  return endpoint('PUT', path, spec);
}

/** A `PATCH` endpoint; see {@link endpoint}. */
export function patch<P extends string, S extends EndpointSpec<P> = {}>(
  path: P,
  spec?: S,
): Endpoint<'PATCH', P, S> {
  return endpoint('PATCH', path, spec);
}

/** A `DELETE` endpoint (`delete` is a reserved word); see {@link endpoint}. */
export function del<P extends string, S extends EndpointSpec<P> = {}>(
  path: P,
  spec?: S,
): Endpoint<'DELETE', P, S> {
  return endpoint('DELETE', path, spec);
}

/** A `HEAD` endpoint; see {@link endpoint}. */
export function head<P extends string, S extends EndpointSpec<P> = {}>(
  path: P,
  spec?: S,
): Endpoint<'HEAD', P, S> {
  return endpoint('HEAD', path, spec);
}

/** An `OPTIONS` endpoint; see {@link endpoint}. */
export function options<P extends string, S extends EndpointSpec<P> = {}>(
  path: P,
  spec?: S,
): Endpoint<'OPTIONS', P, S> {
  return endpoint('OPTIONS', path, spec);
}
