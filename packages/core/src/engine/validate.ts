import { suggestName } from '../balancers/name-suggestion.js';
import type { CallOptions, HttpMethod } from '../contracts/request.js';
import { InvalidRequestError } from '../errors/index.js';
import { HTTP_METHODS, isHttpMethod } from '../http/methods.js';
import { withQueryElided } from '../http/url.js';
import { describeValue, shorten } from '../options/describe-value.js';

/*
 * Validation of what a caller hands the engine. Every check is a few comparisons or one pass
 * over a short string: it runs on every call. Messages name the option and what was found, but
 * never print header values or bodies (they carry tokens).
 */

/** setTimeout's largest delay; a larger one fires after 1 ms, which would be a silent surprise. */
export const MAX_TIMEOUT_MS = 2_147_483_647;

const SERVICE_NAME_FORBIDDEN = /[\s/:]/;
// Unicode white space beyond ASCII, which the byte scan below lets through as "non-ASCII".
const UNICODE_SPACE = /[\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE_FORBIDDEN = /[\r\n\0]/;

/**
 * The engine's `InvalidRequestError` about one call: `invalid request GET to service 'users': ...`,
 * the method and service name cut as every message shows a value the caller gave.
 */
export function invalidRequest(
  method: string,
  serviceName: string,
  message: string,
  options?: { cause?: unknown },
): InvalidRequestError {
  return new InvalidRequestError(
    `invalid request ${shorten(method)} to service '${shorten(serviceName)}': ${message}`,
    options,
  );
}

function fail(method: string, serviceName: string, message: string): never {
  throw invalidRequest(method, serviceName, message);
}

/** A string the caller gave, quoted and cut as every message shows one. */
function quote(text: string): string {
  return describeValue(text, 'code');
}

/** A path the caller gave, quoted and cut, its query shown as `?...` (queries carry tokens). */
function quotePath(path: string): string {
  return describeValue(withQueryElided(path), 'code');
}

/**
 * What the checks below call the value they check: the caller's argument (`method`, `path`,
 * `serviceName`), or, once `beforeRequest` has run, the context field an interceptor changed
 * (`ctx.path set in beforeRequest`), so the message says who gave the bad value.
 */
export type Subject = 'argument' | 'beforeRequest';

function subject(name: 'method' | 'serviceName' | 'path', by: Subject): string {
  return by === 'argument' ? name : `ctx.${name} set in beforeRequest`;
}

/** Checks the method. Throws `InvalidRequestError`. */
export function validateMethod(
  method: unknown,
  serviceName: string,
  by: Subject = 'argument',
): asserts method is HttpMethod {
  if (!isHttpMethod(method)) {
    fail(
      String(method),
      serviceName,
      `${subject('method', by)} must be one of ${HTTP_METHODS.join(', ')} (upper case), found ${describeValue(method, 'call')}`,
    );
  }
}

/** Checks a service name: non-empty, no '/', ':' or white space. Throws `InvalidRequestError`. */
export function validateServiceName(
  serviceName: unknown,
  method: string,
  by: Subject = 'argument',
): asserts serviceName is string {
  if (typeof serviceName !== 'string' || serviceName.length === 0) {
    throw new InvalidRequestError(
      `invalid request ${shorten(method)}: ${subject('serviceName', by)} must be a non-empty string, found ${describeValue(serviceName, 'call')}`,
    );
  }
  if (SERVICE_NAME_FORBIDDEN.test(serviceName)) {
    throw new InvalidRequestError(
      `invalid request ${shorten(method)}: ${subject('serviceName', by)} must not contain '/', ':' or white space, found ${quote(serviceName)}`,
    );
  }
}

/**
 * Checks that `path` is a path on the chosen instance and returns it ready to send: non-ASCII
 * characters are percent-encoded (UTF-8), everything else is sent as given.
 *
 * Refused, because they could send the request to a host discovery did not choose or smuggle a
 * second request: anything not starting with exactly one '/' (`http://x`, `//host/x`, `x`), a
 * backslash anywhere (`/\host` is `//host` to WHATWG URL parsers), control characters, white
 * space, and '#' (a fragment is never sent to a server; a literal '#' must be written `%23`).
 */
export function validatePath(
  path: unknown,
  method: string,
  serviceName: string,
  by: Subject = 'argument',
): string {
  const what = subject('path', by);
  if (typeof path !== 'string')
    fail(method, serviceName, `${what} must be a string, found ${describeValue(path, 'call')}`);
  if (path.charCodeAt(0) !== 0x2f) {
    fail(
      method,
      serviceName,
      `${what} must start with '/', found ${quotePath(path)}; absolute URLs are refused: discovery chooses the host`,
    );
  }
  if (path.charCodeAt(1) === 0x2f) {
    fail(
      method,
      serviceName,
      `${what} must not start with '//' (a host-relative URL), found ${quotePath(path)}`,
    );
  }
  let nonAscii = false;
  for (let i = 1; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f) {
      fail(
        method,
        serviceName,
        `${what} must not contain white space or control characters (encode them, e.g. %20), found ${quotePath(path)}`,
      );
    }
    if (c === 0x5c) {
      fail(
        method,
        serviceName,
        `${what} must not contain a backslash (encode it as %5C), found ${quotePath(path)}`,
      );
    }
    if (c === 0x23) {
      fail(
        method,
        serviceName,
        `${what} must not contain '#': a fragment is never sent (encode a literal '#' as %23), found ${quotePath(path)}`,
      );
    }
    if (c > 0x7e) nonAscii = true;
  }
  if (!nonAscii) return path;
  if (UNICODE_SPACE.test(path)) {
    fail(method, serviceName, `${what} must not contain white space, found ${quotePath(path)}`);
  }
  try {
    // Control characters were refused above, so everything outside ' '..'~' is non-ASCII here.
    return path.replace(/[^ -~]+/g, encodeURIComponent);
  } catch (error) {
    throw invalidRequest(
      method,
      serviceName,
      `${what} contains a lone UTF-16 surrogate, found ${quotePath(path)}`,
      {
        cause: error,
      },
    );
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isAbortSignal(value: unknown): value is AbortSignal {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AbortSignal).aborted === 'boolean' &&
    typeof (value as AbortSignal).addEventListener === 'function'
  );
}

function isMilliseconds(value: unknown): boolean {
  return typeof value === 'number' && value > 0 && value <= MAX_TIMEOUT_MS && Number.isFinite(value);
}

function isBody(value: unknown): boolean {
  return (
    typeof value === 'string' ||
    value instanceof Uint8Array ||
    value instanceof ArrayBuffer ||
    value instanceof URLSearchParams ||
    value instanceof ReadableStream
  );
}

/** The keys of `CallOptions`, in the order the messages list them. */
export const CALL_OPTION_KEYS: readonly string[] = Object.freeze([
  'headers',
  'query',
  'json',
  'body',
  'timeout',
  'perTryTimeout',
  'retry',
  'hedgeDelay',
  'signal',
  'protocol',
  'throwHttpErrors',
  'attributes',
]);

/** A switch rather than a Set lookup: it runs for every key of every call's options. */
function isCallOptionKey(key: string): boolean {
  switch (key) {
    case 'headers':
    case 'query':
    case 'json':
    case 'body':
    case 'timeout':
    case 'perTryTimeout':
    case 'retry':
    case 'hedgeDelay':
    case 'signal':
    case 'protocol':
    case 'throwHttpErrors':
    case 'attributes':
      return true;
    default:
      return false;
  }
}

/*
 * The keys other clients use for what a call option does: the Python library's (`params`,
 * `data`), requests' and axios' (`params`, `data`, `timeout` as `time_out`), and common typos.
 * Anything else close to a key by spelling gets that key; the rest the list of keys.
 */
const OTHER_NAMES: Readonly<Record<string, string>> = {
  params: "'query'",
  searchParams: "'query'",
  data: "'json' (a value sent as JSON) or 'body' (text or bytes sent as they are)",
  payload: "'json' (a value sent as JSON) or 'body' (text or bytes sent as they are)",
  header: "'headers'",
  abortSignal: "'signal'",
};

/** What an unknown call option most likely meant, as the end of a sentence. */
export function unknownOptionHint(key: string): string {
  const named = Object.hasOwn(OTHER_NAMES, key) ? OTHER_NAMES[key] : undefined;
  if (named !== undefined) return `did you mean ${named}?`;
  // suggestName folds spellings to snake_case; the keys are camelCase, so both sides are folded
  // to bare lower case first (`throw_http_errors` and `throwHttpErrors` meet as throwhttperrors).
  const folded = key.toLowerCase().replace(/[_\s.-]+/g, '');
  const near = suggestName(folded, LOWER_CASE_KEYS);
  if (near !== undefined) return `did you mean '${CALL_OPTION_KEYS[LOWER_CASE_KEYS.indexOf(near)]}'?`;
  return `the call options are ${CALL_OPTION_KEYS.join(', ')}`;
}

const LOWER_CASE_KEYS = CALL_OPTION_KEYS.map((key) => key.toLowerCase());

/**
 * Calls `unknown` for each own key of `options` that is not a call option. One `for...in` over
 * the few keys a call's options have, each compared in a switch: no allocation.
 */
export function forEachUnknownOption(options: CallOptions | undefined, unknown: (key: string) => void): void {
  if (typeof options !== 'object' || options === null) return;
  for (const key in options) {
    if (!isCallOptionKey(key) && Object.hasOwn(options, key)) unknown(key);
  }
}

/**
 * Checks a call's options. `stage` says in errors whether the caller or a `beforeRequest`
 * interceptor produced them. Throws `InvalidRequestError`.
 */
export function validateOptions(
  options: CallOptions | undefined,
  method: string,
  serviceName: string,
  stage: 'options' | 'options after beforeRequest',
): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null) {
    fail(method, serviceName, `${stage} must be an object, found ${describeValue(options, 'call')}`);
  }
  const {
    headers,
    query,
    json,
    body,
    timeout,
    perTryTimeout,
    hedgeDelay,
    signal,
    protocol,
    throwHttpErrors,
    attributes,
  } = options;
  if (headers !== undefined) validateHeaders(headers, method, serviceName, stage);
  if (query !== undefined && !(query instanceof URLSearchParams) && !isPlainObject(query)) {
    fail(
      method,
      serviceName,
      `${stage}.query must be an object of parameters or URLSearchParams, found ${describeValue(query, 'call')}`,
    );
  }
  if (json !== undefined && body !== undefined && body !== null) {
    fail(method, serviceName, `${stage} sets both json and body; send one of them`);
  }
  if (body !== undefined && body !== null && !isBody(body)) {
    fail(
      method,
      serviceName,
      `${stage}.body must be a string, Uint8Array, ArrayBuffer, URLSearchParams or ReadableStream, found ${describeValue(body, 'call')} (use json for objects)`,
    );
  }
  if (timeout !== undefined && !isMilliseconds(timeout)) {
    fail(
      method,
      serviceName,
      `${stage}.timeout must be a positive finite number of milliseconds up to ${MAX_TIMEOUT_MS}, found ${describeValue(timeout, 'call')}`,
    );
  }
  if (perTryTimeout !== undefined && !isMilliseconds(perTryTimeout)) {
    fail(
      method,
      serviceName,
      `${stage}.perTryTimeout must be a positive finite number of milliseconds up to ${MAX_TIMEOUT_MS}, found ${describeValue(perTryTimeout, 'call')}`,
    );
  }
  if (hedgeDelay !== undefined && hedgeDelay !== false && !isMilliseconds(hedgeDelay)) {
    fail(
      method,
      serviceName,
      `${stage}.hedgeDelay must be a positive finite number of milliseconds up to ${MAX_TIMEOUT_MS}, or false, found ${describeValue(hedgeDelay, 'call')}`,
    );
  }
  if (signal !== undefined && !isAbortSignal(signal)) {
    fail(
      method,
      serviceName,
      `${stage}.signal must be an AbortSignal, found ${describeValue(signal, 'call')}`,
    );
  }
  if (protocol !== undefined && protocol !== 'http' && protocol !== 'https') {
    fail(
      method,
      serviceName,
      `${stage}.protocol must be 'http' or 'https', found ${describeValue(protocol, 'call')}`,
    );
  }
  if (throwHttpErrors !== undefined && typeof throwHttpErrors !== 'boolean') {
    fail(
      method,
      serviceName,
      `${stage}.throwHttpErrors must be a boolean, found ${describeValue(throwHttpErrors, 'call')}`,
    );
  }
  if (attributes !== undefined && !isPlainObject(attributes)) {
    fail(
      method,
      serviceName,
      `${stage}.attributes must be a plain object, found ${describeValue(attributes, 'call')}`,
    );
  }
}

function validateHeaders(headers: unknown, method: string, serviceName: string, stage: string): void {
  if (!isPlainObject(headers)) {
    fail(
      method,
      serviceName,
      `${stage}.headers must be a plain object of strings, found ${describeValue(headers, 'call')}`,
    );
  }
  for (const name in headers) {
    if (!HEADER_NAME.test(name)) {
      fail(method, serviceName, `${stage}.headers has an invalid header name ${quote(name)}`);
    }
    const value = headers[name];
    // Values are never printed: this is where tokens live.
    if (typeof value !== 'string') {
      fail(
        method,
        serviceName,
        `${stage}.headers['${name}'] must be a string, found ${value === null ? 'null' : typeof value}`,
      );
    }
    if (HEADER_VALUE_FORBIDDEN.test(value)) {
      fail(
        method,
        serviceName,
        `${stage}.headers['${name}'] must not contain CR, LF or NUL characters (value not shown)`,
      );
    }
  }
}
