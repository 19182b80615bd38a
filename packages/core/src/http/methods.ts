import type { HttpMethod } from '../contracts/request.js';

const METHODS = [
  'GET',
  'POST',
  'PUT',
  'DELETE',
  'PATCH',
  'HEAD',
  'OPTIONS',
] as const satisfies readonly HttpMethod[];

/**
 * Every method the engine sends, upper case, in the order errors and help texts list them. The
 * one list: the engine's checks, the endpoint builders (`endpoint.get`, ...), the facade and the
 * CLI read it, so a method added here is accepted everywhere at once.
 */
export const HTTP_METHODS: readonly HttpMethod[] = Object.freeze(METHODS);

/**
 * `never` unless `HttpMethod` has a method {@link HTTP_METHODS} lacks; a type test pins it to
 * `never`. Not exported from the package.
 * @internal
 */
export type UnlistedHttpMethod = Exclude<HttpMethod, (typeof METHODS)[number]>;

// A Set for the check on every call: `includes` on an array is a linear scan.
const METHOD_SET: ReadonlySet<string> = new Set(METHODS);

/**
 * Whether `value` is one of {@link HTTP_METHODS}, exactly (upper case): `'GET'` is, `'get'` and
 * `'TRACE'` are not.
 */
export function isHttpMethod(value: unknown): value is HttpMethod {
  return typeof value === 'string' && METHOD_SET.has(value);
}
