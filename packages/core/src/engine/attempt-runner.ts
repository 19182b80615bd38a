import { runBeforeAttempt } from '../chain/attempt-stages.js';
import type { LoadBalancer } from '../contracts/balancer.js';
import type { ServiceDiscovery } from '../contracts/discovery.js';
import type { InstanceFilter } from '../contracts/filter.js';
import type { Logger } from '../contracts/logger.js';
import type { Transport, TransportRequest } from '../contracts/transport.js';
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

  async run(ctx: CallContext): Promise<void> {
    ctx.attempt++;
    ctx.response = undefined;
    ctx.responseTime = undefined;
    const discovered =
      this.#discovery.getCachedInstances?.(ctx.serviceName) ?? (await lookupInstances(this.#discovery, ctx));
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
    let status: number | undefined;
    let failure: unknown;
    // When the body arrived whole: the attempt's end (parsing it is the call's own work).
    let arrived: number | undefined;
    try {
      if (hooks !== undefined) runBeforeAttempt(hooks, ctx, record, this.#logger);
      const request: TransportRequest = {
        method: ctx.method,
        origin,
        path: ctx.requestTarget,
        headers,
        body: ctx.requestBody,
        signal: ctx.signal,
      };
      if (this.#buffered && !ctx.raw) {
        const response = await this.#transport.sendBuffered!(request);
        arrived = performance.now();
        ctx.response = response;
        ctx.responseTime = arrived;
        status = response.status;
        failure = readBufferedResult(ctx, response);
        return;
      }
      const response = await this.#transport.send(request);
      ctx.response = response;
      ctx.responseTime = performance.now();
      status = response.status;
      if (ctx.raw) {
        // The attempt goes on until the caller has read or disposed the body (bodySettled).
        const tracked = new TrackedResponse(response, ctx, this);
        ctx.response = tracked;
        ctx.result = tracked;
        ctx.bodyPending = true;
        return;
      }
      failure = await readResult(ctx, response);
    } catch (error) {
      // Our deadline or the caller's abort explains whatever the transport made of it.
      const signal = ctx.signal;
      failure = signal?.aborted ? signal.reason : error;
      const response = ctx.response;
      if (response !== undefined && !response.bodyUsed) await disposeQuietly(response, this.#logger);
      throw failure;
    } finally {
      if (!ctx.bodyPending) this.#outcomes.report(ctx, record, pick, status, failure, arrived);
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
