import type { CallOptions, HttpMethod, QueryParams } from '../contracts/request.js';
import type { RequestBody } from '../contracts/transport.js';
import { InvalidRequestError } from '../errors/index.js';
import type { Client, EndpointCallSettings, Endpoints } from './call-types.js';
import {
  type EndpointDefaults,
  mergeHeaders,
  type NormalizedDefaults,
  normalizeDefaults,
} from './defaults.js';
import { type Endpoint, endpointDefaults, isEndpoint } from './endpoint.js';
import { EndpointSite } from './endpoint-site.js';
import { expandPath } from './path-template.js';
import { isThenable, validatePart } from './validate-part.js';

/**
 * What a client sends its calls through: anything with the engine's `request`, such as a
 * `CallEngine` or a `ServiceManager`. Calls therefore run the same interceptors, discovery and
 * load balancer as `manager.get`.
 */
export interface ClientTarget {
  request(method: HttpMethod, serviceName: string, path: string, options?: CallOptions): Promise<unknown>;
}

/** Headers, timeout and `throwHttpErrors` for every call of a client; an endpoint's own defaults win. */
export type ClientDefaults = EndpointDefaults;

/**
 * `CallOptions` plus the context attributes the call starts with; the engine copies them into
 * `ctx.attributes` (`endpoint` names the endpoint for interceptors and metrics).
 */
type ClientCallOptions = CallOptions & { attributes?: Readonly<Record<string, unknown>> };

/** What one call may carry; `path`, `query`, `body` and `headers` typed per endpoint elsewhere. */
interface UntypedArgs extends EndpointCallSettings {
  path?: unknown;
  query?: unknown;
  body?: unknown;
  headers?: unknown;
}

const SERVICE_NAME_FORBIDDEN = /[\s/:]/;
// An endpoint named `then` would make the client a thenable: `await client` would call it.
const RESERVED_NAMES: ReadonlySet<string> = new Set(['then', 'constructor']);

/**
 * Makes a typed client for one service: a function per endpoint, whose argument and result types
 * come from the endpoint definitions. Every call goes through `target.request`, so interceptors,
 * discovery and the load balancer apply as for `manager.get`, with `ctx.attributes.endpoint`
 * set to the endpoint's name. Throws `InvalidRequestError` for a bad service name, endpoint or
 * default.
 *
 * @param target The engine or the `ServiceManager` (anything with `request`).
 * @param serviceName The service every endpoint belongs to.
 * @param endpoints The endpoints by method name, made with `get`, `post`, ... or `endpoint`.
 * @param defaults Headers, timeout and `throwHttpErrors` for all endpoints; an endpoint's and a call's own win.
 *
 * @example
 * ```ts
 * const users = createClient(manager, 'user-service', {
 *   getUser: endpoint.get('/users/{id}', { response: User }),
 *   createUser: endpoint.post('/users', { body: NewUser, response: User }),
 * });
 * const user = await users.getUser({ path: { id: 7 } });
 * ```
 */
export function createClient<E extends Endpoints>(
  target: ClientTarget,
  serviceName: string,
  endpoints: E,
  defaults?: ClientDefaults,
): Client<E> {
  const plan = planClient(serviceName, endpoints, defaults);
  checkTarget(target);
  return Object.freeze(buildMethods(target, plan)) as Client<E>;
}

/** One endpoint, ready to call: everything that does not depend on the call is computed here. */
export interface EndpointPlan {
  readonly name: string;
  readonly definition: Endpoint;
  readonly site: EndpointSite;
  readonly defaults: NormalizedDefaults;
  /** The attributes every call of this endpoint starts with. */
  readonly attributes: Readonly<Record<string, unknown>>;
}

/** Checks a client's definition once and precomputes each endpoint's plan. */
export function planClient(serviceName: unknown, endpoints: unknown, defaults: unknown): EndpointPlan[] {
  if (
    typeof serviceName !== 'string' ||
    serviceName.length === 0 ||
    SERVICE_NAME_FORBIDDEN.test(serviceName)
  ) {
    throw new InvalidRequestError(
      `invalid client: serviceName must be a non-empty string without '/', ':' or white space, found ${
        typeof serviceName === 'string' ? JSON.stringify(serviceName) : typeof serviceName
      }`,
    );
  }
  if (typeof endpoints !== 'object' || endpoints === null || Array.isArray(endpoints)) {
    throw new InvalidRequestError(`invalid client for service '${serviceName}': endpoints must be an object`);
  }
  const clientDefaults = normalizeDefaults(defaults, `client defaults for service '${serviceName}'`);
  const plans: EndpointPlan[] = [];
  for (const name of Object.keys(endpoints)) {
    const definition = (endpoints as Record<string, unknown>)[name];
    if (!isEndpoint(definition)) {
      throw new InvalidRequestError(
        `invalid client for service '${serviceName}': endpoints.${name} must be made by endpoint.get(), endpoint.post(), ... or endpoint()`,
      );
    }
    if (RESERVED_NAMES.has(name)) {
      throw new InvalidRequestError(
        `invalid client for service '${serviceName}': '${name}' cannot name an endpoint (it would break await or classes)`,
      );
    }
    plans.push({
      name,
      definition,
      site: new EndpointSite(serviceName, name, definition.method),
      defaults: endpointDefaults(definition, clientDefaults),
      attributes: Object.freeze({ endpoint: name }),
    });
  }
  return plans;
}

/** Throws unless `target` has a `request` method. */
export function checkTarget(target: unknown): asserts target is ClientTarget {
  if (typeof (target as Partial<ClientTarget> | null)?.request !== 'function') {
    throw new InvalidRequestError(
      'invalid client target: expected a CallEngine or ServiceManager (an object with request(method, serviceName, path, options))',
    );
  }
}

/** The endpoint methods, by name, bound to `target`. */
export function buildMethods(
  target: ClientTarget,
  plans: readonly EndpointPlan[],
): Record<string, (args?: UntypedArgs) => Promise<unknown>> {
  const methods: Record<string, (args?: UntypedArgs) => Promise<unknown>> = {};
  for (const plan of plans) methods[plan.name] = endpointMethod(target, plan);
  return methods;
}

function endpointMethod(target: ClientTarget, plan: EndpointPlan): (args?: UntypedArgs) => Promise<unknown> {
  const { definition, site, defaults, attributes } = plan;
  const { method, compiled, schemas } = definition;
  const serviceName = site.serviceName;
  // Without placeholders the path is the template itself: nothing to build per call.
  const fixedPath = compiled.names.length === 0 ? compiled.literals[0]! : undefined;

  if (!schemas.any) {
    // The hot path: no schema, so no promise of our own; the engine's is returned as it is.
    return (args) => {
      let path: string;
      let options: ClientCallOptions;
      try {
        checkArgs(args, site);
        path = fixedPath ?? expandPath(compiled, args?.path, site);
        options = callOptions(args, args?.query, args?.body, args?.headers, defaults, attributes, site);
      } catch (error) {
        return Promise.reject(error);
      }
      return target.request(method, serviceName, path, options);
    };
  }

  return async (args) => {
    checkArgs(args, site);
    let params = args?.path;
    let query = args?.query;
    let body = args?.body;
    let headers = args?.headers;
    // One part at a time, in this order: the first refused part is the one reported. Schemas
    // usually answer synchronously; only a real promise is awaited.
    if (schemas.path !== undefined) {
      params = validatePart(schemas.path, params, site, 'path');
      if (isThenable(params)) params = await params;
    }
    if (schemas.query !== undefined) {
      query = validatePart(schemas.query, query, site, 'query');
      if (isThenable(query)) query = await query;
    }
    if (schemas.body !== undefined) {
      body = validatePart(schemas.body, body, site, 'body');
      if (isThenable(body)) body = await body;
    }
    if (schemas.headers !== undefined) {
      headers = validatePart(schemas.headers, headers, site, 'headers');
      if (isThenable(headers)) headers = await headers;
    }
    const path = fixedPath ?? expandPath(compiled, params, site);
    const result = await target.request(
      method,
      serviceName,
      path,
      callOptions(args, query, body, headers, defaults, attributes, site),
    );
    return schemas.response === undefined ? result : validatePart(schemas.response, result, site, 'response');
  };
}

function checkArgs(args: unknown, site: EndpointSite): void {
  if (args !== undefined && (typeof args !== 'object' || args === null)) {
    throw site.invalid(
      `the call's argument must be an object, found ${args === null ? 'null' : typeof args}`,
    );
  }
}

function isRawBody(body: unknown): body is RequestBody {
  return (
    typeof body === 'object' &&
    (body instanceof Uint8Array ||
      body instanceof ArrayBuffer ||
      body instanceof URLSearchParams ||
      body instanceof ReadableStream)
  );
}

/** The engine's options for one call: every key present, so all calls share one object shape. */
/**
 * A call's own `retry` over the endpoint's, key by key. Not frozen: it is merged (and checked)
 * for this one call; the endpoint's frozen one, used as it is, keeps its merge in the engine.
 */
function callRetry(
  base: NormalizedDefaults['retry'],
  own: EndpointCallSettings['retry'],
): CallOptions['retry'] {
  if (own === undefined) return base;
  if (own === false || base === undefined || base === false) return own;
  return { ...base, ...own };
}

function callOptions(
  args: UntypedArgs | undefined,
  query: unknown,
  body: unknown,
  headers: unknown,
  defaults: NormalizedDefaults,
  attributes: Readonly<Record<string, unknown>>,
  site: EndpointSite,
): ClientCallOptions {
  if (headers !== undefined && (typeof headers !== 'object' || headers === null)) {
    throw site.invalid(
      `headers must be an object of strings, found ${headers === null ? 'null' : typeof headers}`,
    );
  }
  const raw = body !== undefined && isRawBody(body);
  return {
    headers: mergeHeaders(defaults, headers as Readonly<Record<string, string>> | undefined),
    query: query as QueryParams | URLSearchParams | undefined,
    json: raw ? undefined : body,
    body: raw ? body : undefined,
    timeout: args?.timeout ?? defaults.timeout,
    signal: args?.signal,
    protocol: args?.protocol,
    throwHttpErrors: args?.throwHttpErrors ?? defaults.throwHttpErrors,
    retry: callRetry(defaults.retry, args?.retry),
    perTryTimeout: args?.perTryTimeout ?? defaults.perTryTimeout,
    hedgeDelay: args?.hedgeDelay ?? defaults.hedgeDelay,
    attributes,
  };
}
