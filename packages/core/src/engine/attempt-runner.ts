import { runBeforeAttempt } from '../chain/attempt-stages.js';
import type { LoadBalancer } from '../contracts/balancer.js';
import type { ServiceDiscovery } from '../contracts/discovery.js';
import type { InstanceFilter } from '../contracts/filter.js';
import type { ServiceInstance } from '../contracts/instance.js';
import type { Logger } from '../contracts/logger.js';
import type {
  AbortHook,
  BufferedResponse,
  RawResponse,
  Transport,
  TransportRequest,
} from '../contracts/transport.js';
import { ServiceUnavailableError } from '../errors/index.js';
import { runFilters } from '../filters/run-filters.js';
import type { AttemptOutcomes } from './attempt-outcome.js';
import { AttemptRecord } from './attempt-record.js';
import { failedCall } from './call-failure.js';
import type { CallContext } from './context.js';
import {
  attemptSignal,
  callAborted,
  callAbortReason,
  callSignal,
  clearAttemptTimer,
  clearDeadline,
  waitBeforeRetry,
} from './deadline.js';
import type { NormalizedEngineOptions } from './engine-options.js';
import { type FailureKind, failureKind } from './failure-kind.js';
import { runHedged } from './hedge.js';
import { lookupInstances } from './lookup.js';
import { originOf } from './origin.js';
import { disposeQuietly, readBufferedResult, readResult, statusError } from './read-response.js';
import { backoffDelay, retriesFailure, retryAfterMs } from './retry-policy.js';
import { type BodySettledListener, TrackedResponse } from './tracked-response.js';

function isOk(status: number): boolean {
  return status >= 200 && status < 300;
}

/** The `Retry-After` of an answer that may carry one (429, 503), in milliseconds. */
function retryAfterOf(response: RawResponse): number | undefined {
  const status = response.status;
  if (status !== 429 && status !== 503) return undefined;
  const header =
    typeof (response as BufferedResponse).header === 'function'
      ? (response as BufferedResponse).header('retry-after')
      : response.headers['retry-after'];
  return retryAfterMs(Array.isArray(header) ? header[0] : header);
}

/**
 * Runs the attempts of a call: discovery (cached) -> filters -> balancer -> URL ->
 * `beforeAttempt` -> transport -> read, each reported once (`attempt-outcome.ts`); and when an
 * attempt fails in a way the call's retry policy retries (`retry-policy.ts`), and the service's
 * retry budget (`retry-budget.ts`) and the call's deadline (`deadline.ts`) allow, the next one
 * after its back-off. A call that hedges runs its attempts side by side instead (`hedge.ts`),
 * through the same steps. A parsed call goes through the transport's `sendBuffered` when it has
 * one; a raw call through `send`, and its attempt ends when the caller has read or disposed the
 * body. One runner per engine.
 */
export class AttemptRunner implements BodySettledListener {
  readonly #discovery: ServiceDiscovery;
  readonly #transport: Transport;
  readonly #buffered: boolean;
  /** Whether the transport takes the call's deadline as `abortHook` (no signal made per call). */
  readonly #usesAbortHook: boolean;
  readonly #balancer: LoadBalancer;
  readonly #filters: readonly InstanceFilter[];
  readonly #logger: Logger;
  readonly #outcomes: AttemptOutcomes;

  constructor(
    options: NormalizedEngineOptions,
    filters: readonly InstanceFilter[],
    outcomes: AttemptOutcomes,
  ) {
    this.#discovery = options.discovery;
    this.#transport = options.transport;
    this.#buffered = typeof options.transport.sendBuffered === 'function';
    this.#usesAbortHook = options.transport.usesAbortHook === true;
    this.#balancer = options.loadBalancer;
    this.#filters = filters;
    this.#logger = options.logger;
    this.#outcomes = outcomes;
  }

  /** Where attempts are reported (for the hedges, which end some attempts themselves). @internal */
  get outcomes(): AttemptOutcomes {
    return this.#outcomes;
  }

  /** Every attempt of a call; resolves when the call has its result in `ctx`, or rejects with its failure. */
  run(ctx: CallContext): Promise<void> {
    if (ctx.hedgeDelay !== undefined) return runHedged(this, ctx);
    return this.#attempt(ctx, 'first');
  }

  /**
   * One attempt. Everything up to the send is synchronous when discovery answers from its cache
   * (the common case): only the exchange with the transport is an async step, and it keeps few
   * locals, since a call in flight holds that step's frame in memory.
   */
  #attempt(ctx: CallContext, kind: 'first' | 'retry'): Promise<void> {
    const cached = this.#discovery.getCachedInstances?.(ctx.serviceName);
    if (cached === undefined) return this.#lookupThenRun(ctx, kind);
    let request: TransportRequest;
    try {
      request = this.begin(ctx, cached, kind);
    } catch (error) {
      return Promise.reject(failedCall(ctx, error));
    }
    return this.#exchange(ctx, ctx.current!, request);
  }

  /** The cold path: the service has not been seen yet, so the registry is asked first. */
  async #lookupThenRun(ctx: CallContext, kind: 'first' | 'retry'): Promise<void> {
    const discovered = await lookupInstances(this.#discovery, ctx);
    let request: TransportRequest;
    try {
      request = this.begin(ctx, discovered, kind);
    } catch (error) {
      throw failedCall(ctx, error);
    }
    return this.#exchange(ctx, ctx.current!, request);
  }

  /** The instances of the call's service: the registry's cache, or a lookup. @internal */
  instances(ctx: CallContext): readonly ServiceInstance[] | Promise<readonly ServiceInstance[]> {
    return this.#discovery.getCachedInstances?.(ctx.serviceName) ?? lookupInstances(this.#discovery, ctx);
  }

  /**
   * Starts an attempt: filters, picks, builds the URL and the attempt's record (now
   * `ctx.current`), runs `beforeAttempt`, and returns the request to send. Throws for no
   * instance; a `beforeAttempt` that throws ends the attempt with it. @internal
   */
  begin(
    ctx: CallContext,
    discovered: readonly ServiceInstance[],
    kind: 'first' | 'retry' | 'hedge',
  ): TransportRequest {
    ctx.attempt++;
    ctx.response = undefined;
    ctx.responseTime = undefined;
    if (discovered.length === 0) {
      throw new ServiceUnavailableError(
        ctx.serviceName,
        `no instance is registered in the '${this.#discovery.name}' registry`,
      );
    }
    const service = ctx.health!;
    service.listed = discovered;
    const filters = this.#filters;
    const instances = filters.length === 0 ? discovered : runFilters(filters, discovered, ctx);
    // The context has what a PickContext needs (serviceName, attempt, triedInstances): no object per pick.
    const pick = this.#balancer.pick(instances, ctx);
    const instance = pick.instance;
    ctx.pick = pick;
    ctx.selectedInstance = instance;
    const protocol = ctx.protocolOverride ?? (instance.secure === true ? 'https' : 'http');
    ctx.protocol = protocol;
    const origin = originOf(protocol, instance);
    const url = origin + ctx.requestTarget;
    ctx.resolvedUrl = url;
    const hooks = ctx.attemptHooks;
    // beforeAttempt may set headers for its attempt: it gets a copy of its own.
    const headers = hooks === undefined ? ctx.requestHeaders! : { ...ctx.requestHeaders };
    const health = service.of(instance);
    health.inFlight++;
    const record = new AttemptRecord(ctx.attempt, kind, pick, health, url, headers);
    ctx.beginAttempt(record);
    // An attempt with a bound of its own, or one a hedge may have to abort, gets its own signal;
    // the others pass the call's: its deadline as the hook when the transport takes one.
    let signal: AbortSignal | undefined;
    let abortHook: AbortHook | undefined;
    if (ctx.perTryTimeout === undefined && ctx.hedgeDelay === undefined) {
      const deadline = ctx.deadline;
      if (deadline !== undefined && this.#usesAbortHook) abortHook = deadline;
      else signal = callSignal(ctx);
    } else {
      signal = attemptSignal(ctx, record);
    }
    if (hooks !== undefined) {
      try {
        runBeforeAttempt(hooks, ctx, record, this.#logger);
      } catch (error) {
        this.#outcomes.report(ctx, record, undefined, error);
        throw error;
      }
    }
    return {
      method: ctx.method,
      origin,
      path: ctx.requestTarget,
      headers,
      body: ctx.requestBody,
      signal,
      abortHook,
    };
  }

  /**
   * Sends the attempt's request and reads the answer: a parsed call through `sendBuffered` when
   * the transport has it; otherwise through `send` (a raw call's attempt then goes on until the
   * caller has read or disposed the body). Reports the outcome exactly once.
   */
  #exchange(ctx: CallContext, record: AttemptRecord, request: TransportRequest): Promise<void> {
    if (!this.#buffered || ctx.raw) return this.#streamed(ctx, record, request);
    // The hot path, as two handlers rather than an async function: a call in flight then holds
    // no suspended frame, only these two small closures.
    return this.#transport.sendBuffered!(request).then(
      (response) => this.#arrivedWhole(ctx, record, response),
      (error: unknown) => this.#failed(ctx, record, error),
    );
  }

  #arrivedWhole(
    ctx: CallContext,
    record: AttemptRecord,
    response: BufferedResponse,
  ): Promise<void> | undefined {
    // The attempt ends when its body arrived (parsing it is the call's own work).
    const arrived = performance.now();
    const delay = this.#statusRetry(ctx, record, response, arrived);
    if (delay !== undefined) return this.#retryAfter(ctx, delay);
    this.#readWhole(ctx, record, response, arrived);
    return undefined;
  }

  /**
   * When the answer's status is one the call's policy retries and another attempt may follow:
   * ends this attempt with the status and returns the wait before the next; else `undefined`
   * (the answer is the call's, read as usual).
   */
  #statusRetry(
    ctx: CallContext,
    record: AttemptRecord,
    response: RawResponse,
    at: number,
  ): number | undefined {
    const status = response.status;
    if (isOk(status) || !ctx.retryPolicy.statuses.has(status)) return undefined;
    const delay = this.retryDelay(ctx, 'status', status, retryAfterOf(response));
    if (delay !== undefined) {
      this.#outcomes.report(ctx, record, status, statusError(ctx, response, undefined, record.url), at);
    }
    return delay;
  }

  /** Reads a whole answer into the call's result and ends its attempt. */
  #readWhole(ctx: CallContext, record: AttemptRecord, response: BufferedResponse, arrived: number): void {
    ctx.response = response;
    ctx.responseTime = arrived;
    let failure: unknown;
    try {
      failure = readBufferedResult(ctx, response);
    } catch (error) {
      this.#outcomes.report(ctx, record, response.status, error, arrived);
      throw failedCall(ctx, error);
    }
    this.#outcomes.report(ctx, record, response.status, failure, arrived);
  }

  /** The attempt failed before its answer was in: report it, then retry or fail the call. */
  #failed(ctx: CallContext, record: AttemptRecord, error: unknown): Promise<void> {
    const failure = this.failureOf(ctx, record, error);
    this.#outcomes.report(ctx, record, undefined, failure);
    return this.#retryOrFail(ctx, failure);
  }

  #retryOrFail(ctx: CallContext, failure: unknown): Promise<void> {
    // An aborted call (its caller's signal, its total timeout) is over: nothing is retried.
    if (!callAborted(ctx)) {
      const delay = this.retryDelay(ctx, failureKind(failure), undefined, undefined);
      if (delay !== undefined) return this.#retryAfter(ctx, delay);
    }
    throw failedCall(ctx, failure);
  }

  /**
   * What an attempt failed with: the call's abort reason when the call was aborted (its caller's
   * signal, its total timeout), the attempt's own (its per-try timeout, a lost hedge) when only
   * the attempt was, else what the transport threw. @internal
   */
  failureOf(ctx: CallContext, record: AttemptRecord, error: unknown): unknown {
    if (callAborted(ctx)) return callAbortReason(ctx);
    const own = record.controller?.signal;
    return own?.aborted ? own.reason : error;
  }

  /**
   * Whether the call gets another attempt after a failure of `kind` (`status` for an answer,
   * `retryAfter` its `Retry-After` in ms): the wait before it in milliseconds, or `undefined`
   * for none, with the reason in `ctx.retryNote` when it is worth reading in the call's error.
   * Takes the retry from the service's budget when it says yes. @internal
   */
  retryDelay(
    ctx: CallContext,
    kind: FailureKind,
    status: number | undefined,
    retryAfter: number | undefined,
  ): number | undefined {
    const policy = ctx.retryPolicy;
    if (ctx.attempt >= policy.attempts || !retriesFailure(policy, kind, status)) return undefined;
    if (!policy.methods.has(ctx.method)) {
      ctx.retryNote = `${ctx.method} is not among the methods retried (${[...policy.methods].join(', ')}); list it in retry.methods to retry it`;
      return undefined;
    }
    if (ctx.requestBody instanceof ReadableStream) {
      ctx.retryNote =
        'the request body is a stream, which can be sent only once (give it as bytes or a string to allow retries)';
      return undefined;
    }
    let delay = backoffDelay(policy, ctx.attempt);
    if (retryAfter !== undefined) {
      if (retryAfter > policy.retryAfterMax) {
        ctx.retryNote = `the answer asked to wait ${retryAfter} ms (Retry-After), more than retry.retryAfterMax (${policy.retryAfterMax} ms)`;
        return undefined;
      }
      if (retryAfter > delay) delay = retryAfter;
    }
    const now = performance.now();
    if (now + delay >= ctx.deadlineAt) {
      ctx.retryNote = `the call's timeout of ${ctx.timeoutMs} ms leaves no time for another attempt`;
      return undefined;
    }
    return this.takeRetry(ctx, now) ? delay : undefined;
  }

  /** Takes one retry (or hedge) from the service's budget; notes a refusal. @internal */
  takeRetry(ctx: CallContext, now: number): boolean {
    const service = ctx.health!;
    const budget = service.budget;
    if (budget !== undefined && !budget.tryWithdraw(now)) {
      service.retriesRefused++;
      ctx.retryNote = `the retry budget of service '${ctx.serviceName}' is spent (retries are kept to a share of its calls)`;
      return false;
    }
    service.retries++;
    return true;
  }

  #retryAfter(ctx: CallContext, delay: number): Promise<void> {
    return waitBeforeRetry(ctx, delay).then(
      () => this.#attempt(ctx, 'retry'),
      (reason: unknown) => {
        throw failedCall(ctx, reason);
      },
    );
  }

  /** `send`: the response's body streams; a parsed call reads it here, a raw call's caller reads it. */
  async #streamed(ctx: CallContext, record: AttemptRecord, request: TransportRequest): Promise<void> {
    let response: RawResponse;
    try {
      response = await this.#transport.send(request);
    } catch (error) {
      return this.#failed(ctx, record, error);
    }
    const headersAt = performance.now();
    const delay = this.#statusRetry(ctx, record, response, headersAt);
    if (delay !== undefined) {
      await disposeQuietly(response, this.#logger);
      return this.#retryAfter(ctx, delay);
    }
    return this.#readStreamed(ctx, record, response, headersAt);
  }

  /** Reads a streamed answer into the call's result (a raw call's is the response itself). */
  async #readStreamed(
    ctx: CallContext,
    record: AttemptRecord,
    response: RawResponse,
    headersAt: number,
  ): Promise<void> {
    ctx.response = response;
    ctx.responseTime = headersAt;
    const status = response.status;
    if (ctx.raw) {
      // A raw attempt's own bound ends at its headers: the caller reads the body at its pace.
      clearAttemptTimer(record);
      ctx.result = ctx.response = new TrackedResponse(response, ctx, record, this);
      ctx.bodyPending = true;
      return;
    }
    let failure: unknown;
    try {
      failure = await readResult(ctx, response);
    } catch (error) {
      failure = this.failureOf(ctx, record, error);
      if (!response.bodyUsed) await disposeQuietly(response, this.#logger);
      this.#outcomes.report(ctx, record, status, failure);
      // A body that broke off is retried like a reset before the answer: the same failure on
      // the buffered path (where the two cannot be told apart) is.
      return this.#retryOrFail(ctx, failure);
    }
    this.#outcomes.report(ctx, record, status, failure);
  }

  /**
   * Makes `response` the call's answer (a hedge's winner): the call's result from it, and its
   * attempt ended (a raw one when its body is done with). @internal
   */
  commit(
    ctx: CallContext,
    record: AttemptRecord,
    response: RawResponse,
    arrived: number,
  ): Promise<void> | undefined {
    ctx.selectedInstance = record.instance;
    ctx.pick = record.pick;
    ctx.resolvedUrl = record.url;
    if (this.#buffered && !ctx.raw) {
      this.#readWhole(ctx, record, response as BufferedResponse, arrived);
      return undefined;
    }
    return this.#readStreamed(ctx, record, response, arrived);
  }

  /** Sends an attempt's request the way the call reads its answer (whole, or streamed). @internal */
  send(ctx: CallContext, request: TransportRequest): Promise<RawResponse> {
    return this.#buffered && !ctx.raw
      ? this.#transport.sendBuffered!(request)
      : this.#transport.send(request);
  }

  /**
   * Ends an attempt whose answer will not be used (a retryable status, or a hedge that answered
   * after another had won): reported (a 5xx as the instance's failure), its body let go. @internal
   */
  discard(ctx: CallContext, record: AttemptRecord, response: RawResponse, arrived: number): void {
    const status = response.status;
    const failure = status >= 500 ? statusError(ctx, response, undefined, record.url) : undefined;
    this.#outcomes.report(ctx, record, status, failure, arrived);
    if (!response.bodyUsed) void disposeQuietly(response, this.#logger);
  }

  /** A raw call's body has been read, has failed or has been disposed: its attempt ends. */
  bodySettled(ctx: CallContext, record: AttemptRecord, error: unknown): void {
    ctx.bodyPending = false;
    clearDeadline(ctx);
    const response = ctx.response!;
    const status = response.status;
    const failure =
      error !== undefined || status < 500 ? error : statusError(ctx, response, undefined, record.url);
    this.#outcomes.report(ctx, record, status, failure);
  }
}
