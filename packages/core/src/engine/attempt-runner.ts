import { runBeforeAttempt } from '../chain/attempt-stages.js';
import type { LoadBalancer } from '../contracts/balancer.js';
import type { ServiceDiscovery } from '../contracts/discovery.js';
import type { InstanceFilter } from '../contracts/filter.js';
import type { ServiceInstance } from '../contracts/instance.js';
import type { Logger } from '../contracts/logger.js';
import type { BufferedResponse, Transport, TransportRequest } from '../contracts/transport.js';
import { ServiceUnavailableError } from '../errors/index.js';
import { runFilters } from '../filters/run-filters.js';
import { AttemptOutcomes } from './attempt-outcome.js';
import { AttemptRecord } from './attempt-record.js';
import type { CallContext } from './context.js';
import { clearDeadline } from './deadline.js';
import type { NormalizedEngineOptions } from './engine-options.js';
import { lookupInstances } from './lookup.js';
import { originOf } from './origin.js';
import { disposeQuietly, readBufferedResult, readResult, statusError } from './read-response.js';
import { type BodySettledListener, TrackedResponse } from './tracked-response.js';

/**
 * Runs one attempt of a call: discovery (cached) -> filters -> balancer -> URL -> `beforeAttempt`
 * -> transport -> read, and reports its outcome once (`attempt-outcome.ts`). A parsed call goes
 * through the transport's `sendBuffered` when it has one; a raw call through `send`, and its
 * attempt ends when the caller has read or disposed the body. One runner per engine; the call
 * engine decides how many attempts a call makes.
 */
export class AttemptRunner implements BodySettledListener {
  readonly #discovery: ServiceDiscovery;
  readonly #transport: Transport;
  readonly #buffered: boolean;
  readonly #balancer: LoadBalancer;
  readonly #filters: readonly InstanceFilter[];
  readonly #logger: Logger;
  readonly #outcomes: AttemptOutcomes;

  constructor(options: NormalizedEngineOptions) {
    this.#discovery = options.discovery;
    this.#transport = options.transport;
    this.#buffered = typeof options.transport.sendBuffered === 'function';
    this.#balancer = options.loadBalancer;
    this.#filters = options.filters;
    this.#logger = options.logger;
    this.#outcomes = new AttemptOutcomes(options.loadBalancer.name, options.logger);
  }

  /**
   * One attempt. Everything up to the send is synchronous when discovery answers from its cache
   * (the common case): only the exchange with the transport is an async step, and it keeps few
   * locals, since a call in flight holds that step's frame in memory.
   */
  run(ctx: CallContext): Promise<void> {
    ctx.attempt++;
    ctx.response = undefined;
    ctx.responseTime = undefined;
    const cached = this.#discovery.getCachedInstances?.(ctx.serviceName);
    if (cached === undefined) return this.#lookupThenRun(ctx);
    let request: TransportRequest;
    try {
      request = this.#start(ctx, cached);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#exchange(ctx, request);
  }

  /** The cold path: the service has not been seen yet, so the registry is asked first. */
  async #lookupThenRun(ctx: CallContext): Promise<void> {
    const discovered = await lookupInstances(this.#discovery, ctx);
    return this.#exchange(ctx, this.#start(ctx, discovered));
  }

  /**
   * Filters, picks, builds the URL and the attempt's record, runs `beforeAttempt`: what precedes
   * the send. Throws for no instance; a `beforeAttempt` that throws ends the attempt with it.
   */
  #start(ctx: CallContext, discovered: readonly ServiceInstance[]): TransportRequest {
    if (discovered.length === 0) {
      throw new ServiceUnavailableError(
        ctx.serviceName,
        `no instance is registered in the '${this.#discovery.name}' registry`,
      );
    }
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
    const record = new AttemptRecord(ctx.attempt, instance, url, headers);
    ctx.beginAttempt(record);
    if (hooks !== undefined) {
      try {
        runBeforeAttempt(hooks, ctx, record, this.#logger);
      } catch (error) {
        this.#outcomes.report(ctx, record, pick, undefined, error);
        throw error;
      }
    }
    return {
      method: ctx.method,
      origin,
      path: ctx.requestTarget,
      headers,
      body: ctx.requestBody,
      signal: ctx.signal,
    };
  }

  /**
   * Sends the attempt's request and reads the answer: a parsed call through `sendBuffered` when
   * the transport has it; otherwise through `send` (a raw call's attempt then goes on until the
   * caller has read or disposed the body). Reports the outcome exactly once.
   */
  #exchange(ctx: CallContext, request: TransportRequest): Promise<void> {
    if (!this.#buffered || ctx.raw) return this.#streamed(ctx, request);
    // The hot path, as two handlers rather than an async function: a call in flight then holds
    // no suspended frame, only these two small closures.
    return this.#transport.sendBuffered!(request).then(
      (response) => this.#arrivedWhole(ctx, response),
      (error: unknown) => this.#failed(ctx, error),
    );
  }

  #arrivedWhole(ctx: CallContext, response: BufferedResponse): void {
    // The attempt ends when its body arrived (parsing it is the call's own work).
    const arrived = performance.now();
    ctx.response = response;
    ctx.responseTime = arrived;
    let failure: unknown;
    try {
      failure = readBufferedResult(ctx, response);
    } catch (error) {
      this.#outcomes.report(ctx, ctx.current!, ctx.pick!, response.status, error, arrived);
      throw error;
    }
    this.#outcomes.report(ctx, ctx.current!, ctx.pick!, response.status, failure, arrived);
  }

  #failed(ctx: CallContext, error: unknown): never {
    // Our deadline or the caller's abort explains whatever the transport made of it.
    const signal = ctx.signal;
    const failure = signal?.aborted ? signal.reason : error;
    this.#outcomes.report(ctx, ctx.current!, ctx.pick!, undefined, failure);
    throw failure;
  }

  /** `send`: the response's body streams; a parsed call reads it here, a raw call's caller reads it. */
  async #streamed(ctx: CallContext, request: TransportRequest): Promise<void> {
    let status: number | undefined;
    let failure: unknown;
    try {
      const response = await this.#transport.send(request);
      ctx.response = response;
      ctx.responseTime = performance.now();
      status = response.status;
      if (ctx.raw) {
        ctx.result = ctx.response = new TrackedResponse(response, ctx, this);
        ctx.bodyPending = true;
        return;
      }
      failure = await readResult(ctx, response);
    } catch (error) {
      const signal = ctx.signal;
      failure = signal?.aborted ? signal.reason : error;
      const response = ctx.response;
      if (response !== undefined && !response.bodyUsed) await disposeQuietly(response, this.#logger);
      throw failure;
    } finally {
      if (!ctx.bodyPending) this.#outcomes.report(ctx, ctx.current!, ctx.pick!, status, failure);
    }
  }

  /** A raw call's body has been read, has failed or has been disposed: its attempt ends. */
  bodySettled(ctx: CallContext, error: unknown): void {
    ctx.bodyPending = false;
    clearDeadline(ctx);
    const response = ctx.response!;
    const status = response.status;
    const failure = error !== undefined || status < 500 ? error : statusError(ctx, response, undefined);
    this.#outcomes.report(ctx, ctx.current!, ctx.pick!, status, failure);
  }
}
