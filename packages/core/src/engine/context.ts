import type { Pick } from '../contracts/balancer.js';
import type { CallAttempt, RequestContext } from '../contracts/context.js';
import type { ServiceInstance } from '../contracts/instance.js';
import type { ServiceInterceptor } from '../contracts/interceptor.js';
import type { CallOptions, HttpMethod } from '../contracts/request.js';
import type { OutgoingHeaders, RawResponse, RequestBody } from '../contracts/transport.js';
import { InvalidRequestError, type ServiceCallerError } from '../errors/index.js';
import { AttemptRecord } from './attempt-record.js';
import type { CallDeadline } from './call-deadline.js';
import { InstanceHealth, type ServiceHealth } from './instance-health.js';
import { originOf } from './origin.js';
import { DEFAULT_POLICY, type RetryPolicy } from './retry-policy.js';
import { validateMethod, validateOptions, validatePath, validateServiceName } from './validate.js';

const NO_ATTEMPTS: readonly CallAttempt[] = Object.freeze([]);
const NO_INSTANCES: readonly ServiceInstance[] = Object.freeze([]);

/**
 * The engine's `RequestContext`: one object per call, every field present from the start so all
 * calls share one object shape. Besides the contract's fields it carries the call's prepared
 * request (the `request*` fields), filled once per call after `beforeRequest` and reused by each
 * attempt. The attempts are kept as records; the arrays `attempts` and `triedInstances` are built
 * only when read (a call that makes one attempt and whose interceptors never look builds none).
 * @internal
 */
export class CallContext implements RequestContext {
  method: HttpMethod;
  serviceName: string;
  path: string;
  protocol: 'http' | 'https';
  options: CallOptions;
  readonly raw: boolean;
  readonly startTime: number;
  attempt = 0;
  selectedInstance: ServiceInstance | undefined = undefined;
  pick: Pick | undefined = undefined;
  resolvedUrl: string | undefined = undefined;
  response: RawResponse | undefined = undefined;
  error: unknown = undefined;
  result: unknown = undefined;
  responseTime: number | undefined = undefined;
  endTime: number | undefined = undefined;
  duration: number | undefined = undefined;

  /** The protocol the context started with; a different `protocol` after `beforeRequest` is an override. */
  readonly initialProtocol: 'http' | 'https';
  /** Path (validated, non-ASCII encoded) plus query, as sent. */
  requestTarget = '';
  requestHeaders: OutgoingHeaders | undefined = undefined;
  requestBody: RequestBody | null | undefined = undefined;
  /** The protocol every attempt uses, or `undefined` to follow each instance's `secure` flag. */
  protocolOverride: 'http' | 'https' | undefined = undefined;
  throwHttpErrors = true;
  /** The caller's signal (`options.signal` when the call started). */
  callerSignal: AbortSignal | undefined = undefined;
  /** The total-timeout deadline, when the call has one: what aborts it, the caller's signal included. */
  deadline: CallDeadline | undefined = undefined;
  timeoutMs = 0;

  /** A raw call's response (a `TrackedResponse`) whose body has not been read or disposed yet. */
  bodyPending = false;
  /** The call's interceptors that have per-attempt hooks, or `undefined` (see `InterceptorChain.attemptHooks`). */
  attemptHooks: readonly ServiceInterceptor[] | undefined = undefined;
  /** The current (last) attempt. */
  current: AttemptRecord | undefined = undefined;
  /** The call's retry policy: the engine's, or the call's own `retry` over it. */
  retryPolicy: RetryPolicy = DEFAULT_POLICY;
  /** Milliseconds each attempt may take, or `undefined`. */
  perTryTimeout: number | undefined = undefined;
  /** Milliseconds before a hedge goes, or `undefined` when the call does not hedge. */
  hedgeDelay: number | undefined = undefined;
  /** What the engine knows of the call's service (its instances' health, its retry budget). */
  health: ServiceHealth | undefined = undefined;
  /** `performance.now()` by which the call must be over (its total timeout), else Infinity. */
  deadlineAt = Number.POSITIVE_INFINITY;
  /** Why the call was not retried, when that is worth saying in its error. */
  retryNote: string | undefined = undefined;
  /** The engine's calls in flight, a list through their contexts (no allocation): what close() aborts. */
  previousCall: CallContext | undefined = undefined;
  nextCall: CallContext | undefined = undefined;
  /** Set when `close()` aborted the call: the error it fails with, whatever the attempt saw. */
  closedBy: ServiceCallerError | undefined = undefined;

  #attributes: Record<string, unknown> | undefined = undefined;
  /** The attempts before the current one; `undefined` until a second attempt starts. */
  #earlier: AttemptRecord[] | undefined = undefined;
  #attemptsView: readonly CallAttempt[] | undefined = undefined;
  #triedView: readonly ServiceInstance[] | undefined = undefined;
  /** The attempt number `#triedView` was built for. */
  #triedFor = 0;

  constructor(method: HttpMethod, serviceName: string, path: string, options: CallOptions, raw: boolean) {
    this.method = method;
    this.serviceName = serviceName;
    this.path = path;
    this.options = options;
    this.raw = raw;
    this.protocol = options.protocol ?? 'http';
    this.initialProtocol = this.protocol;
    this.startTime = performance.now();
    const attributes = options.attributes;
    if (attributes !== undefined) this.#attributes = { ...attributes };
  }

  /** Created on first use: most calls run without an interceptor that keeps data. */
  get attributes(): Record<string, unknown> {
    if (this.#attributes === undefined) this.#attributes = {};
    return this.#attributes;
  }

  get attempts(): readonly CallAttempt[] {
    const current = this.current;
    if (current === undefined) return NO_ATTEMPTS;
    if (this.#attemptsView === undefined) {
      const earlier = this.#earlier;
      this.#attemptsView = Object.freeze(earlier === undefined ? [current] : [...earlier, current]);
    }
    return this.#attemptsView;
  }

  /**
   * The instances of the attempts before attempt number `attempt`: while the next attempt is
   * being picked (`attempt` already counts it), the current record is one of them.
   */
  get triedInstances(): readonly ServiceInstance[] {
    const current = this.current;
    if (current === undefined) return NO_INSTANCES;
    const earlier = this.#earlier;
    const withCurrent = current.number < this.attempt;
    if (earlier === undefined && !withCurrent) return NO_INSTANCES;
    if (this.#triedView === undefined || this.#triedFor !== this.attempt) {
      const records = earlier === undefined ? [] : earlier.slice();
      if (withCurrent) records.push(current);
      this.#triedView = Object.freeze(records.map((r) => r.instance));
      this.#triedFor = this.attempt;
    }
    return this.#triedView;
  }

  /** Every attempt so far, oldest first: for the error of a failed call. */
  records(): readonly AttemptRecord[] {
    const current = this.current;
    if (current === undefined) return [];
    const earlier = this.#earlier;
    return earlier === undefined ? [current] : [...earlier, current];
  }

  /** Makes `record` the current attempt; the one before it, if any, joins the earlier ones. */
  beginAttempt(record: AttemptRecord): void {
    const previous = this.current;
    if (previous !== undefined) {
      if (this.#earlier === undefined) this.#earlier = [previous];
      else this.#earlier.push(previous);
      this.#triedView = undefined;
    }
    this.current = record;
    this.#attemptsView = undefined;
  }
}

/**
 * A copy of a call's options that interceptors may change in place without touching the
 * caller's object: a shallow copy whose `headers` is always an own object.
 */
export function copyOptions(options: CallOptions | undefined): CallOptions {
  const copy: CallOptions = { ...options };
  copy.headers = options?.headers === undefined ? {} : { ...options.headers };
  return copy;
}

/** What `createRequestContext` needs. */
export interface RequestContextInit {
  method: HttpMethod;
  serviceName: string;
  /** A path starting with a single '/', query string allowed. */
  path: string;
  /** The call's options; copied, so the context's `options` and `options.headers` are its own. */
  options?: CallOptions;
  /** Whether the context describes a raw call. @default false */
  raw?: boolean;
}

/**
 * Builds a `RequestContext` in the state the engine hands to `beforeRequest`: nothing selected
 * yet, `attempt` 0, `options` a private copy with a `headers` object. For running an
 * interceptor's hooks outside the engine, as `@service-caller/testkit`'s `testInterceptor` does.
 * Throws `InvalidRequestError` for what the engine would refuse.
 */
export function createRequestContext(init: RequestContextInit): RequestContext {
  const { method, serviceName, path, options, raw = false } = init;
  validateServiceName(serviceName, String(method));
  validateMethod(method, serviceName);
  validatePath(path, method, serviceName);
  validateOptions(options, method, serviceName, 'options');
  return new CallContext(method, serviceName, path, copyOptions(options), raw);
}

/**
 * Starts an attempt on a context made by `createRequestContext`, as the engine does once the
 * balancer has picked `instance`: `attempt` counts up, `selectedInstance`, `pick` and
 * `resolvedUrl` are set, and the returned attempt (with its own copy of the call's headers, as
 * `beforeAttempt` gets it) joins `ctx.attempts`. For running per-attempt hooks outside the
 * engine, as `@service-caller/testkit`'s `testInterceptor` does; end it with `finishAttempt`.
 * Throws `InvalidRequestError` for a context the engine did not make.
 */
export function startAttempt(ctx: RequestContext, instance: ServiceInstance): CallAttempt {
  if (!(ctx instanceof CallContext)) {
    throw new InvalidRequestError('startAttempt needs a context made by createRequestContext');
  }
  ctx.attempt++;
  const protocol = ctx.protocol;
  const url = originOf(protocol, instance) + ctx.path;
  ctx.selectedInstance = instance;
  ctx.resolvedUrl = url;
  const record = new AttemptRecord(
    ctx.attempt,
    ctx.attempt === 1 ? 'first' : 'retry',
    { instance },
    new InstanceHealth(instance),
    url,
    { ...ctx.options.headers },
  );
  ctx.pick = record.pick;
  ctx.beginAttempt(record);
  return record;
}

/**
 * Ends an attempt made by `startAttempt` with its outcome (`status` when a response arrived,
 * `error` when it failed; see `AttemptOutcome`). Throws `InvalidRequestError` for an attempt
 * that `startAttempt` did not make or that has already ended.
 */
export function finishAttempt(
  attempt: CallAttempt,
  outcome: { status?: number; error?: unknown } = {},
): void {
  if (!(attempt instanceof AttemptRecord) || attempt.ended) {
    throw new InvalidRequestError(
      'finishAttempt needs an attempt made by startAttempt that has not ended yet',
    );
  }
  attempt.end(outcome.status, outcome.error);
}
