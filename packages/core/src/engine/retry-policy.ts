import type { HttpMethod } from '../contracts/request.js';
import type { RetryFailure, RetryOn, RetryOptions } from '../contracts/retry.js';
import { HTTP_METHODS, isHttpMethod } from '../http/methods.js';
import { describeValue } from '../options/describe-value.js';
import type { FailureKind } from './failure-kind.js';
import { MAX_TIMEOUT_MS } from './validate.js';

/** `RetryOptions` checked, with every key filled in: what the attempt runner reads. */
export interface RetryPolicy {
  /** Attempts in all, >= 1. */
  readonly attempts: number;
  readonly base: number;
  readonly max: number;
  readonly retryAfterMax: number;
  readonly failures: ReadonlySet<RetryFailure>;
  readonly statuses: ReadonlySet<number>;
  readonly methods: ReadonlySet<HttpMethod>;
  /** The options as the user would write them, for messages and the config's display. */
  readonly options: Readonly<Required<RetryOptions>>;
}

/** The most attempts one call may make: more would turn one slow call into a storm of its own. */
export const MAX_ATTEMPTS = 10;

const RETRY_FAILURES: readonly RetryFailure[] = ['connect-failure', 'reset', 'timeout'];

/** The retry settings every call has unless configured otherwise (see `RetryOptions`). */
export const DEFAULT_RETRY: Readonly<Required<RetryOptions>> = Object.freeze({
  attempts: 3,
  backoff: Object.freeze({ base: 25, max: 250 }),
  retryOn: Object.freeze(['connect-failure', 'reset', 'timeout', 502, 503, 504] as RetryOn[]),
  methods: Object.freeze(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'] as HttpMethod[]),
  retryAfterMax: 2_000,
});

/** Reports a bad value at `keyPath` (relative to the retry options) and does not return. */
export type RetryOptionProblem = (keyPath: string, expected: string, found: string) => never;

const KEYS: ReadonlySet<string> = new Set(['attempts', 'backoff', 'retryOn', 'methods', 'retryAfterMax']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function milliseconds(
  value: unknown,
  keyPath: string,
  bad: RetryOptionProblem,
  zeroAllowed: boolean,
): number {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < 0 ||
    (!zeroAllowed && value === 0) ||
    value > MAX_TIMEOUT_MS
  ) {
    bad(
      keyPath,
      `a number of milliseconds ${zeroAllowed ? '>= 0' : '> 0'} and at most ${MAX_TIMEOUT_MS}`,
      describeValue(value, 'code'),
    );
  }
  return value as number;
}

/**
 * Checks `options` (`false` meaning "no retry") and fills what it leaves out from `base`: the
 * engine's policy for a call's own options, the defaults for the engine's. `bad` reports a
 * problem (a `ConfigError` for the engine, an `InvalidRequestError` for a call or an endpoint).
 */
export function retryPolicy(
  options: RetryOptions | false | undefined,
  base: RetryPolicy,
  bad: RetryOptionProblem,
): RetryPolicy {
  if (options === undefined) return base;
  if (options === false) return noRetry(base);
  if (!isPlainObject(options))
    bad('', 'an object of retry settings, or false', describeValue(options, 'code'));
  for (const key of Object.keys(options)) {
    if (!KEYS.has(key)) {
      bad(key, 'one of the keys attempts, backoff, retryOn, methods, retryAfterMax', `the key '${key}'`);
    }
  }
  const given = options as RetryOptions;
  const merged = { ...base.options };
  if (given.attempts !== undefined) {
    const attempts = given.attempts;
    if (
      typeof attempts !== 'number' ||
      !Number.isInteger(attempts) ||
      attempts < 1 ||
      attempts > MAX_ATTEMPTS
    ) {
      bad(
        'attempts',
        `a whole number from 1 to ${MAX_ATTEMPTS} (the first attempt included)`,
        describeValue(attempts, 'code'),
      );
    }
    merged.attempts = attempts as number;
  }
  if (given.backoff !== undefined) {
    const backoff = given.backoff;
    if (!isPlainObject(backoff))
      bad('backoff', 'an object { base, max } of milliseconds', describeValue(backoff, 'code'));
    for (const key of Object.keys(backoff as object)) {
      if (key !== 'base' && key !== 'max')
        bad(`backoff.${key}`, 'one of the keys base, max', `the key '${key}'`);
    }
    const { base: b, max: m } = backoff as { base?: unknown; max?: unknown };
    const baseMs = b === undefined ? base.base : milliseconds(b, 'backoff.base', bad, true);
    // A base above the inherited cap raises the cap: the user asked for longer waits.
    const maxMs = m === undefined ? Math.max(base.max, baseMs) : milliseconds(m, 'backoff.max', bad, true);
    if (maxMs < baseMs) {
      bad(
        'backoff.max',
        `a number of milliseconds >= backoff.base (${baseMs})`,
        describeValue(maxMs, 'code'),
      );
    }
    merged.backoff = Object.freeze({ base: baseMs, max: maxMs });
  }
  if (given.retryOn !== undefined) merged.retryOn = checkRetryOn(given.retryOn, bad);
  if (given.methods !== undefined) merged.methods = checkMethods(given.methods, bad);
  if (given.retryAfterMax !== undefined) {
    merged.retryAfterMax = milliseconds(given.retryAfterMax, 'retryAfterMax', bad, true);
  }
  return policyOf(merged);
}

function checkRetryOn(value: unknown, bad: RetryOptionProblem): readonly RetryOn[] {
  if (!Array.isArray(value)) {
    bad(
      'retryOn',
      `a list of ${RETRY_FAILURES.join(', ')} and statuses 400-599`,
      describeValue(value, 'code'),
    );
  }
  const list = value as unknown[];
  list.forEach((item, i) => {
    const isFailure = typeof item === 'string' && (RETRY_FAILURES as readonly string[]).includes(item);
    const isStatus = typeof item === 'number' && Number.isInteger(item) && item >= 400 && item <= 599;
    if (!isFailure && !isStatus) {
      bad(
        `retryOn[${i}]`,
        `one of ${RETRY_FAILURES.join(', ')}, or a status from 400 to 599`,
        describeValue(item, 'code'),
      );
    }
  });
  return Object.freeze([...list] as RetryOn[]);
}

function checkMethods(value: unknown, bad: RetryOptionProblem): readonly HttpMethod[] {
  if (!Array.isArray(value))
    bad('methods', `a list of ${HTTP_METHODS.join(', ')}`, describeValue(value, 'code'));
  const list = value as unknown[];
  list.forEach((item, i) => {
    if (!isHttpMethod(item))
      bad(`methods[${i}]`, `one of ${HTTP_METHODS.join(', ')} (upper case)`, describeValue(item, 'code'));
  });
  return Object.freeze([...list] as HttpMethod[]);
}

function policyOf(options: Required<RetryOptions>): RetryPolicy {
  const failures = new Set<RetryFailure>();
  const statuses = new Set<number>();
  for (const item of options.retryOn) {
    if (typeof item === 'number') statuses.add(item);
    else failures.add(item);
  }
  return Object.freeze({
    attempts: options.attempts,
    base: options.backoff.base ?? DEFAULT_RETRY.backoff.base!,
    max: options.backoff.max ?? DEFAULT_RETRY.backoff.max!,
    retryAfterMax: options.retryAfterMax,
    failures,
    statuses,
    methods: new Set(options.methods),
    options: Object.freeze(options),
  });
}

/** The policy of the defaults, the base of an engine's own. */
export const DEFAULT_POLICY: RetryPolicy = policyOf({ ...DEFAULT_RETRY });

/*
 * A call's own `retry` is checked and merged on each call, unless it is frozen: a frozen object
 * cannot change, so its policy is kept (declarative endpoints freeze theirs), and a call through
 * such an endpoint costs one WeakMap lookup. One cache per engine policy: the merge depends on it.
 */
const frozenPolicies = new WeakMap<RetryPolicy, WeakMap<object, RetryPolicy>>();

/** The policy of one call: the engine's, or its own `retry` over it. */
export function callRetryPolicy(
  options: RetryOptions | false | undefined,
  base: RetryPolicy,
  bad: RetryOptionProblem,
): RetryPolicy {
  // `undefined`, `false`, a bad value or an object that may still change: checked each time.
  if (typeof options !== 'object' || options === null || !Object.isFrozen(options)) {
    return retryPolicy(options, base, bad);
  }
  let cache = frozenPolicies.get(base);
  if (cache === undefined) {
    cache = new WeakMap();
    frozenPolicies.set(base, cache);
  }
  let policy = cache.get(options);
  if (policy === undefined) {
    policy = retryPolicy(options, base, bad);
    cache.set(options, policy);
  }
  return policy;
}

const withoutRetries = new WeakMap<RetryPolicy, RetryPolicy>();

/** `base` with one attempt: what `retry: false` means. Made once per engine policy. */
function noRetry(base: RetryPolicy): RetryPolicy {
  let policy = withoutRetries.get(base);
  if (policy === undefined) {
    policy = policyOf({ ...base.options, attempts: 1 });
    withoutRetries.set(base, policy);
  }
  return policy;
}

/** Whether the policy retries a failure of this kind (`status` is the response's, for `status`). */
export function retriesFailure(policy: RetryPolicy, kind: FailureKind, status: number | undefined): boolean {
  if (kind === 'status') return status !== undefined && policy.statuses.has(status);
  return kind === 'connect-failure' || kind === 'reset' || kind === 'timeout'
    ? policy.failures.has(kind)
    : false;
}

/**
 * The wait before retry number `retry` (1 for the first): exponential back-off with full
 * jitter, a random wait in `[0, min(max, base * 2^(retry-1)))`, so that the retries of many calls
 * that failed together spread out instead of arriving together again.
 */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const cap = Math.min(policy.max, policy.base * 2 ** (retry - 1));
  return cap * random();
}

/**
 * A `Retry-After` header in milliseconds: delay-seconds or an HTTP date (RFC 9110 10.2.3);
 * `undefined` when absent or malformed (then it is ignored, as if not sent).
 */
export function retryAfterMs(header: string | undefined, now: number = Date.now()): number | undefined {
  if (header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date names its day and month (`Wed, 21 Oct 2026 07:28:00 GMT`); `-1` is no date.
  if (!/[A-Za-z]/.test(text)) return undefined;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
