import type { HttpMethod } from '../contracts/request.js';
import { InvalidRequestError } from '../errors/index.js';
import { HTTP_METHODS, isHttpMethod } from '../http/methods.js';
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
 *   getUser: endpoint.get('/users/{id}', { response: typed<User>() }),
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
 * One endpoint of a service, made by {@link endpoint} (`endpoint.get`, `endpoint.post`, ...): what to
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

/** Whether `value` was made by {@link endpoint} (`endpoint.get()`, ...), also across package copies. */
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

// Checks and freezes one endpoint; every builder of `endpoint` ends here.
function defineEndpoint<M extends HttpMethod, P extends string, S extends EndpointSpec<P>>(
  method: M,
  path: P,
  spec?: S,
): Endpoint<M, P, S> {
  if (!isHttpMethod(method)) {
    throw new InvalidRequestError(
      `invalid endpoint method ${JSON.stringify(method)}: expected one of ${HTTP_METHODS.join(', ')}`,
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

/** A builder for one method: `endpoint.get(path, spec?)`. */
export type EndpointBuilderFor<M extends HttpMethod> = <P extends string, S extends EndpointSpec<P> = {}>(
  path: P,
  spec?: S,
) => Endpoint<M, P, S>;

/**
 * Declares the endpoints of a client. Each builder makes a description, not a request: nothing is
 * sent until a client made with `createClient`, `clientClass` or `manager.client` is called.
 *
 * `path` is a template: `{name}` placeholders become the call's `path` argument, typed from the
 * template (`'/users/{id}'` needs `{ path: { id } }`); each value is percent-encoded on its own.
 * Every builder throws `InvalidRequestError` for a malformed template or spec.
 *
 * @example
 * ```ts
 * const users = manager.client('user-service', {
 *   getUser: endpoint.get('/users/{id}', { response: User }),
 *   createUser: endpoint.post('/users', { body: NewUser, response: User }),
 *   deleteUser: endpoint.delete('/users/{id}'),
 * });
 * // A method chosen at runtime:
 * const ping = endpoint(method, '/ping');
 * ```
 */
export interface EndpointBuilder {
  /** An endpoint with any method: `endpoint('GET', '/users/{id}', spec)`. */
  <M extends HttpMethod, P extends string, S extends EndpointSpec<P> = {}>(
    method: M,
    path: P,
    spec?: S,
  ): Endpoint<M, P, S>;
  /** A `GET` endpoint. */
  readonly get: EndpointBuilderFor<'GET'>;
  /** A `POST` endpoint. */
  readonly post: EndpointBuilderFor<'POST'>;
  /** A `PUT` endpoint. */
  readonly put: EndpointBuilderFor<'PUT'>;
  /** A `DELETE` endpoint. */
  readonly delete: EndpointBuilderFor<'DELETE'>;
  /** A `PATCH` endpoint. */
  readonly patch: EndpointBuilderFor<'PATCH'>;
  /** A `HEAD` endpoint: its calls resolve with `undefined` (a HEAD response has no body). */
  readonly head: EndpointBuilderFor<'HEAD'>;
  /** An `OPTIONS` endpoint. */
  readonly options: EndpointBuilderFor<'OPTIONS'>;
}

function makeBuilder(): EndpointBuilder {
  const builder = <M extends HttpMethod, P extends string, S extends EndpointSpec<P> = {}>(
    method: M,
    path: P,
    spec?: S,
  ): Endpoint<M, P, S> => defineEndpoint(method, path, spec);
  // One builder per entry of the method list, so a method added there gets its builder too.
  const perMethod: Record<string, EndpointBuilderFor<HttpMethod>> = {};
  for (const method of HTTP_METHODS) {
    perMethod[method.toLowerCase()] = (path, spec) => defineEndpoint(method, path, spec);
  }
  // The loop covers HTTP_METHODS, which a type test (UnlistedHttpMethod) keeps equal to HttpMethod.
  return Object.freeze(Object.assign(builder, perMethod)) as unknown as EndpointBuilder;
}

/**
 * Declares an endpoint: `endpoint.get('/users/{id}', { response: User })`, `endpoint.post(...)`,
 * `.put`, `.delete`, `.patch`, `.head`, `.options`, or `endpoint(method, path, spec?)` for a
 * method chosen at runtime. See {@link EndpointBuilder}.
 *
 * Named as a namespace (`endpoint.get`, not `get`) so a declaration never reads like a call:
 * `getUser: endpoint.get('/users/{id}')` describes a request, `manager.get(...)` sends one.
 */
export const endpoint: EndpointBuilder = /* @__PURE__ */ makeBuilder();
