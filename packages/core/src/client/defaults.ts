import { InvalidRequestError } from '../errors/index.js';
import { hasHeader } from '../http/headers.js';

/**
 * Settings an endpoint, or a whole client, applies to every call unless the call sets its own.
 * Precedence: the call's options, then the endpoint's defaults, then the client's.
 */
export interface EndpointDefaults {
  /**
   * Headers sent with every call. A call's header of the same name (any case) replaces one of
   * these; the others are kept.
   * @default none
   */
  headers?: Readonly<Record<string, string>>;
  /** Total time for a call in milliseconds. @default the engine's default (none unless configured) */
  timeout?: number;
  /** Throw `HttpStatusError` for a non-2xx status. @default true */
  throwHttpErrors?: boolean;
  /**
   * Reserved for the retry policy that arrives with the resilience work; setting it today is
   * refused with `InvalidRequestError`, so no call silently runs without the retries it asked for.
   */
  retry?: never;
}

/** Defaults after validation, with the header names' lower case computed once. */
export interface NormalizedDefaults {
  /** `undefined` when there are no default headers: a call then passes its own headers through. */
  readonly headers: Readonly<Record<string, string>> | undefined;
  /** The default header names, and the same names in lower case, index for index. */
  readonly headerNames: readonly string[];
  readonly lowerHeaderNames: readonly string[];
  readonly timeout: number | undefined;
  readonly throwHttpErrors: boolean | undefined;
}

const KEYS: ReadonlySet<string> = new Set(['headers', 'timeout', 'throwHttpErrors', 'retry']);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE_FORBIDDEN = /[\r\n\0]/;
const MAX_TIMEOUT_MS = 2_147_483_647;

/** No defaults at all. */
export const NO_DEFAULTS: NormalizedDefaults = Object.freeze({
  headers: undefined,
  headerNames: [],
  lowerHeaderNames: [],
  timeout: undefined,
  throwHttpErrors: undefined,
});

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Checks defaults given by a user and puts them over `base` (the client's, for an endpoint).
 * `where` names them in errors (`client defaults`, `endpoint GET /users defaults`). Header
 * values are never printed.
 */
export function normalizeDefaults(
  defaults: unknown,
  where: string,
  base: NormalizedDefaults = NO_DEFAULTS,
): NormalizedDefaults {
  if (defaults === undefined) return base;
  const bad = (problem: string): never => {
    throw new InvalidRequestError(`invalid ${where}: ${problem}`);
  };
  if (!isPlainObject(defaults))
    bad(`expected an object, found ${defaults === null ? 'null' : typeof defaults}`);
  const given = defaults as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!KEYS.has(key)) bad(`unknown key '${key}' (expected headers, timeout or throwHttpErrors)`);
  }
  const { headers, timeout, throwHttpErrors, retry } = given;
  if (retry !== undefined) {
    bad('retry is reserved for the retry policy of the resilience work and is not supported yet');
  }
  if (
    timeout !== undefined &&
    (typeof timeout !== 'number' || !(timeout > 0) || !Number.isFinite(timeout) || timeout > MAX_TIMEOUT_MS)
  ) {
    bad(
      `timeout must be a positive number of milliseconds up to ${MAX_TIMEOUT_MS}, found ${String(timeout)}`,
    );
  }
  if (throwHttpErrors !== undefined && typeof throwHttpErrors !== 'boolean') {
    bad(`throwHttpErrors must be a boolean, found ${typeof throwHttpErrors}`);
  }
  let merged = base.headers;
  if (headers !== undefined) {
    if (!isPlainObject(headers)) bad('headers must be a plain object of strings');
    for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
      if (!HEADER_NAME.test(name)) bad(`headers has an invalid header name ${JSON.stringify(name)}`);
      if (typeof value !== 'string') bad(`headers['${name}'] must be a string, found ${typeof value}`);
      if (HEADER_VALUE_FORBIDDEN.test(value as string)) {
        bad(`headers['${name}'] must not contain CR, LF or NUL characters (value not shown)`);
      }
    }
    merged = mergeHeaders(base, headers as Record<string, string>);
  }
  const headerNames = merged === undefined ? [] : Object.keys(merged);
  return Object.freeze({
    headers: merged === undefined || headerNames.length === 0 ? undefined : Object.freeze({ ...merged }),
    headerNames,
    lowerHeaderNames: headerNames.map((name) => name.toLowerCase()),
    timeout: (timeout as number | undefined) ?? base.timeout,
    throwHttpErrors: (throwHttpErrors as boolean | undefined) ?? base.throwHttpErrors,
  });
}

/**
 * The headers of one call: the defaults, minus any the call names again in another case, plus
 * the call's own. Without defaults, or without call headers, no object is made.
 */
export function mergeHeaders(
  defaults: NormalizedDefaults,
  own: Readonly<Record<string, string>> | undefined,
): Readonly<Record<string, string>> | undefined {
  const base = defaults.headers;
  if (own === undefined) return base;
  if (base === undefined) return own;
  const merged: Record<string, string> = {};
  const names = defaults.headerNames;
  const lower = defaults.lowerHeaderNames;
  for (let i = 0; i < names.length; i++) {
    if (!hasHeader(own, lower[i]!)) merged[names[i]!] = base[names[i]!]!;
  }
  for (const name in own) merged[name] = own[name]!;
  return merged;
}
