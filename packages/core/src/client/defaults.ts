import type { RetryOptions } from '../contracts/retry.js';
import { DEFAULT_POLICY, retryPolicy } from '../engine/retry-policy.js';
import { MAX_TIMEOUT_MS } from '../engine/validate.js';
import { InvalidRequestError } from '../errors/index.js';
import { hasHeader } from '../http/headers.js';
import { describeValue } from '../options/describe-value.js';

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
   * The retries of every call (see `RetryOptions`), over the engine's key by key (an endpoint's
   * over its client's), or `false` for none: `{ methods: ['POST'] }` on an endpoint whose POST is
   * safe to repeat. @default the engine's
   */
  retry?: RetryOptions | false;
  /** Milliseconds one attempt may take. @default the engine's (none unless configured) */
  perTryTimeout?: number;
  /** Hedging after this many milliseconds (idempotent calls only), or `false` for none. @default the engine's */
  hedgeDelay?: number | false;
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
  /** Checked and frozen, so the engine keeps its merged policy (see `callRetryPolicy`). */
  readonly retry: Readonly<RetryOptions> | false | undefined;
  readonly perTryTimeout: number | undefined;
  readonly hedgeDelay: number | false | undefined;
}

const KEYS: ReadonlySet<string> = new Set([
  'headers',
  'timeout',
  'throwHttpErrors',
  'retry',
  'perTryTimeout',
  'hedgeDelay',
]);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE_FORBIDDEN = /[\r\n\0]/;

/** No defaults at all. */
export const NO_DEFAULTS: NormalizedDefaults = Object.freeze({
  headers: undefined,
  headerNames: [],
  lowerHeaderNames: [],
  timeout: undefined,
  throwHttpErrors: undefined,
  retry: undefined,
  perTryTimeout: undefined,
  hedgeDelay: undefined,
});

function isMilliseconds(value: unknown): value is number {
  return typeof value === 'number' && value > 0 && Number.isFinite(value) && value <= MAX_TIMEOUT_MS;
}

/**
 * `own` over `base` key by key (`false` wins outright), frozen all the way down: a frozen retry
 * object's merged policy is kept by the engine, so a call through an endpoint costs no merge.
 */
export function mergeRetry(
  base: Readonly<RetryOptions> | false | undefined,
  own: RetryOptions | false | undefined,
): Readonly<RetryOptions> | false | undefined {
  if (own === undefined) return base;
  if (own === false || base === undefined || base === false) return own === false ? false : freezeRetry(own);
  return freezeRetry({ ...base, ...own });
}

function freezeRetry(retry: RetryOptions): Readonly<RetryOptions> {
  const copy: RetryOptions = { ...retry };
  if (retry.backoff !== undefined) copy.backoff = Object.freeze({ ...retry.backoff });
  if (retry.retryOn !== undefined) copy.retryOn = Object.freeze([...retry.retryOn]);
  if (retry.methods !== undefined) copy.methods = Object.freeze([...retry.methods]);
  return Object.freeze(copy);
}

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
    if (!KEYS.has(key)) {
      bad(
        `unknown key '${key}' (expected headers, timeout, throwHttpErrors, retry, perTryTimeout or hedgeDelay)`,
      );
    }
  }
  const { headers, timeout, throwHttpErrors, retry, perTryTimeout, hedgeDelay } = given;
  if (retry !== undefined) {
    // Checked here, at definition, with the engine's own rules (merged over its settings per call).
    retryPolicy(retry as RetryOptions | false, DEFAULT_POLICY, (keyPath, expected, found) =>
      bad(`retry${keyPath === '' ? '' : `.${keyPath}`} must be ${expected}, found ${found}`),
    );
  }
  if (perTryTimeout !== undefined && !isMilliseconds(perTryTimeout)) {
    bad(
      `perTryTimeout must be a positive number of milliseconds up to ${MAX_TIMEOUT_MS}, found ${describeValue(perTryTimeout, 'code')}`,
    );
  }
  if (hedgeDelay !== undefined && hedgeDelay !== false && !isMilliseconds(hedgeDelay)) {
    bad(
      `hedgeDelay must be a positive number of milliseconds up to ${MAX_TIMEOUT_MS}, or false, found ${describeValue(hedgeDelay, 'code')}`,
    );
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
    retry: mergeRetry(base.retry, retry as RetryOptions | false | undefined),
    perTryTimeout: (perTryTimeout as number | undefined) ?? base.perTryTimeout,
    hedgeDelay: (hedgeDelay as number | false | undefined) ?? base.hedgeDelay,
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
