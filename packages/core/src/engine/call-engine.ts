import { runOnEjection } from '../chain/ejection-stage.js';
import { InterceptorChain } from '../chain/interceptor-chain.js';
import { runAfterResponse, runBeforeRequest, runHandleException } from '../chain/run-stages.js';
import type { EjectionEvent } from '../contracts/health.js';
import type { ServiceInterceptor } from '../contracts/interceptor.js';
import type { Logger } from '../contracts/logger.js';
import type { CallOptions, HttpMethod } from '../contracts/request.js';
import type { EngineSnapshot } from '../contracts/snapshot.js';
import type { RawResponse, Transport } from '../contracts/transport.js';
import { ClosedError, ServiceCallerError } from '../errors/index.js';
import { OutlierEjection } from '../filters/outlier-ejection.js';
import { shorten } from '../options/describe-value.js';
import { AttemptOutcomes } from './attempt-outcome.js';
import { AttemptRunner } from './attempt-runner.js';
import { CallContext, copyOptions } from './context.js';
import { endDeadline, startDeadline } from './deadline.js';
import { DeadlineClock } from './deadline-clock.js';
import { type NormalizedEngineOptions, normalizeEngineOptions } from './engine-options.js';
import { HealthBook } from './instance-health.js';
import { prepareRequest } from './prepare-request.js';
import { disposeQuietly } from './read-response.js';
import { takeSnapshot } from './snapshot.js';
import type { CallEngine, CallEngineOptions } from './types.js';
import {
  forEachUnknownOption,
  invalidRequest,
  unknownOptionHint,
  validateMethod,
  validateOptions,
  validatePath,
  validateServiceName,
} from './validate.js';

/** Unknown option keys warned about per engine, at most: past it, nothing more is logged. */
const MAX_WARNED_OPTIONS = 100;

const NO_OPTIONS: CallOptions = Object.freeze({});

/**
 * Builds the call engine: validate -> `beforeRequest` -> discovery -> filters -> balancer -> URL
 * -> `beforeAttempt` -> transport -> parse -> `afterAttempt`, then `handleException` /
 * `afterResponse`. Throws `ConfigError` when an option is missing or malformed.
 *
 * @example
 * ```ts
 * const engine = createCallEngine({
 *   discovery: staticRegistry({ services: { users: [{ host: '127.0.0.1', port: 8081 }] } }),
 *   transport: undiciTransport(),
 *   loadBalancer: roundRobin(),
 * });
 * const user = await engine.request('GET', 'users', '/users/42');
 * ```
 */
export function createCallEngine(options: CallEngineOptions): CallEngine {
  return new Engine(normalizeEngineOptions(options));
}

/**
 * The engine composes the parts of a call, each in its own file: the request's validation
 * (`validate.ts`), its context (`context.ts`), the interceptor stages (`../chain`), the request
 * preparation (`prepare-request.ts`), the deadline (`deadline.ts`) and the attempts
 * (`attempt-runner.ts` with `retry-policy.ts`, `retry-budget.ts` and `hedge.ts`, reporting
 * through `attempt-outcome.ts` to the instances' health, `instance-health.ts`, which outlier
 * ejection reads). It owns what spans calls: the interceptor list, the health of the services,
 * the calls in flight and closing.
 */
class Engine implements CallEngine {
  readonly #options: NormalizedEngineOptions;
  readonly #transport: Transport;
  readonly #logger: Logger;
  readonly #timeout: number | undefined;
  readonly #chain: InterceptorChain;
  readonly #health: HealthBook;
  readonly #attempts: AttemptRunner;
  /** The calls' total timeouts, on one timer. */
  readonly #clock = new DeadlineClock();
  /** The unknown call option keys warned about already: one warning per key per engine. */
  readonly #warnedOptions = new Set<string>();
  readonly #onUnknownOption: (key: string) => void;
  #unknownCall: { method: string; serviceName: string } = { method: '', serviceName: '' };
  #inFlight = 0;
  #closed = false;
  #closing: Promise<void> | undefined = undefined;
  #idle: (() => void) | undefined = undefined;
  /** The newest call in flight; each context links to the one before it. */
  #lastCall: CallContext | undefined = undefined;

  constructor(options: NormalizedEngineOptions) {
    this.#options = options;
    this.#transport = options.transport;
    this.#logger = options.logger;
    this.#timeout = options.timeout;
    this.#onUnknownOption = (key) => this.#unknownOption(key);
    this.#chain = new InterceptorChain(options.interceptors);
    this.#health = new HealthBook(options.retryBudget);
    const ejection =
      options.outlierEjection === undefined
        ? undefined
        : new OutlierEjection(options.outlierEjection, this.#health, (event) => this.#ejectionEvent(event));
    // Ejection runs first: the user's filters (zone affinity, ...) see the instances still in.
    const filters = ejection === undefined ? options.filters : [ejection, ...options.filters];
    const outcomes = new AttemptOutcomes(options.loadBalancer.name, options.logger, ejection);
    this.#attempts = new AttemptRunner(options, filters, outcomes);
  }

  /**
   * Logs an ejection or return and tells the interceptors that listen (`onEjection`). At `info`:
   * routing around a failing instance is the engine doing its job; metrics count the events.
   */
  #ejectionEvent(event: EjectionEvent): void {
    const { instance, serviceName } = event;
    try {
      if (event.type === 'ejected') {
        this.#logger.info(
          `instance ${instance.id} of service '${serviceName}' ejected for ${Math.round(event.durationMs)} ms (${event.reason}, ejection ${event.ejections})`,
          { serviceName, instance: instance.id, reason: event.reason, durationMs: event.durationMs },
        );
      } else {
        this.#logger.info(`instance ${instance.id} of service '${serviceName}' is back from ejection`, {
          serviceName,
          instance: instance.id,
        });
      }
    } catch {
      // A broken logger must not break the attempt that is being reported.
    }
    const hooks = this.#chain.ejectionHooks;
    if (hooks.length !== 0) runOnEjection(hooks, event, this.#logger);
  }

  snapshot(): EngineSnapshot {
    return takeSnapshot(this.#health, this.#options.discovery, this.#inFlight);
  }

  get interceptors(): readonly ServiceInterceptor[] {
    return this.#chain.snapshot;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  addInterceptor(interceptor: ServiceInterceptor): boolean {
    return this.#chain.add(interceptor);
  }

  removeInterceptor(name: string): boolean {
    return this.#chain.remove(name);
  }

  clearInterceptors(): void {
    this.#chain.clear();
  }

  request(method: HttpMethod, serviceName: string, path: string, options?: CallOptions): Promise<unknown> {
    return this.#call(method, serviceName, path, options, false);
  }

  rawRequest(
    method: HttpMethod,
    serviceName: string,
    path: string,
    options?: CallOptions,
  ): Promise<RawResponse> {
    return this.#call(method, serviceName, path, options, true) as Promise<RawResponse>;
  }

  close(): Promise<void> {
    if (this.#closing === undefined) {
      this.#closed = true;
      this.#closing = this.#shutdown();
    }
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    if (this.#inFlight !== 0) {
      const bound = this.#options.closeTimeout;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const ended = await new Promise<boolean>((resolve) => {
        this.#idle = () => resolve(true);
        timer = setTimeout(resolve, bound, false);
      });
      clearTimeout(timer);
      if (!ended) this.#abortAll(bound);
    }
    await this.#transport.close();
  }

  /**
   * Aborts every call still in flight with its own `ClosedError`: the deadline, when
   * the call has one, stops its attempt and any wait; a call without one (no timeout)
   * ends when the transport's close destroys its connection, and fails with the same error.
   */
  #abortAll(bound: number): void {
    for (let ctx = this.#lastCall; ctx !== undefined; ctx = ctx.previousCall) {
      const error = new ClosedError(`call engine (close() aborted the call after waiting ${bound} ms)`);
      ctx.closedBy = error;
      ctx.deadline?.abort(error);
    }
  }

  #track(ctx: CallContext): void {
    const last = this.#lastCall;
    if (last !== undefined) last.nextCall = ctx;
    ctx.previousCall = last;
    this.#lastCall = ctx;
  }

  #untrack(ctx: CallContext): void {
    const { previousCall, nextCall } = ctx;
    if (previousCall !== undefined) previousCall.nextCall = nextCall;
    if (nextCall !== undefined) nextCall.previousCall = previousCall;
    else this.#lastCall = previousCall;
    ctx.previousCall = undefined;
    ctx.nextCall = undefined;
  }

  /**
   * One call: the interceptor chain around the attempts (the runner makes as many as the call's
   * policy allows; the chain's stages run once per call). Checking the request and building the
   * context is synchronous; the async rest keeps few locals, since a call in flight holds its
   * frame in memory.
   */
  #call(
    method: HttpMethod,
    serviceName: string,
    path: string,
    options: CallOptions | undefined,
    raw: boolean,
  ): Promise<unknown> {
    let target: string;
    try {
      if (this.#closed) throw new ClosedError('call engine');
      validateServiceName(serviceName, String(method));
      validateMethod(method, serviceName);
      target = validatePath(path, method, serviceName);
      validateOptions(options, method, serviceName, 'options');
      if (options !== undefined) this.#checkOptionKeys(options, method, serviceName);
    } catch (error) {
      return Promise.reject(error);
    }
    // A call keeps the list it started with, whatever is added or removed meanwhile.
    const chain = this.#chain;
    const interceptors = chain.snapshot;
    const ctx = new CallContext(
      method,
      serviceName,
      path,
      interceptors.length !== 0 ? copyOptions(options) : (options ?? NO_OPTIONS),
      raw,
    );
    ctx.attemptHooks = chain.attemptHooks;
    this.#inFlight++;
    this.#track(ctx);
    return this.#run(ctx, target, interceptors);
  }

  /** Warns about (or, strict, refuses) the keys of a call's options that are no call option. */
  #checkOptionKeys(options: CallOptions, method: string, serviceName: string): void {
    this.#unknownCall.method = method;
    this.#unknownCall.serviceName = serviceName;
    forEachUnknownOption(options, this.#onUnknownOption);
  }

  #unknownOption(key: string): void {
    const { method, serviceName } = this.#unknownCall;
    const hint = unknownOptionHint(key);
    if (this.#options.strictOptions) {
      throw invalidRequest(method, serviceName, `options.${shorten(key)} is not a call option; ${hint}`);
    }
    // Bounded: keys built from data must not grow the set without end.
    if (this.#warnedOptions.has(key) || this.#warnedOptions.size >= MAX_WARNED_OPTIONS) return;
    this.#warnedOptions.add(key);
    this.#logger.warn(
      `unknown call option '${shorten(key)}' (${shorten(method)} to service '${shorten(serviceName)}') is ignored; ${hint} (warned once per key)`,
      { option: shorten(key), serviceName: shorten(serviceName) },
    );
  }

  async #run(
    ctx: CallContext,
    target: string,
    interceptors: readonly ServiceInterceptor[],
  ): Promise<unknown> {
    const chained = interceptors.length !== 0;
    try {
      try {
        if (chained) {
          const { method, serviceName, path } = ctx;
          const before = runBeforeRequest(interceptors, ctx);
          if (before !== undefined) await before;
          // Re-routed (a canary service, a rewritten path): checked again as a caller's own values.
          if (ctx.method !== method || ctx.serviceName !== serviceName || ctx.path !== path) {
            target = rerouted(ctx);
          }
          validateOptions(ctx.options, ctx.method, ctx.serviceName, 'options after beforeRequest');
        }
        prepareRequest(ctx, target, this.#options);
        const health = this.#health.service(ctx.serviceName);
        ctx.health = health;
        health.calls++;
        health.budget?.deposit(ctx.startTime);
        // close() gave up on the call while a beforeRequest ran: it sends nothing.
        if (ctx.closedBy !== undefined) throw ctx.closedBy;
        startDeadline(ctx, this.#timeout, this.#clock);
        await this.#attempts.run(ctx);
      } catch (error) {
        ctx.error =
          ctx.closedBy ??
          (error === undefined ? new ServiceCallerError(`${ctx.method} call failed with undefined`) : error);
      }
      ctx.endTime = performance.now();
      ctx.duration = ctx.endTime - ctx.startTime;
      endDeadline(ctx);
      if (chained) {
        if (ctx.error !== undefined) {
          const handled = runHandleException(interceptors, ctx, this.#logger);
          if (handled !== undefined) await handled;
        }
        const after = runAfterResponse(interceptors, ctx, this.#logger);
        if (after !== undefined) await after;
      }
      // The call settles with what the context says after the last stage.
      const response = ctx.response;
      if (
        response !== undefined &&
        (ctx.error !== undefined || ctx.result !== response) &&
        !response.bodyUsed
      ) {
        await disposeQuietly(response, this.#logger);
      }
      if (ctx.error !== undefined) throw ctx.error;
      return ctx.result;
    } finally {
      this.#untrack(ctx);
      if (--this.#inFlight === 0 && this.#idle !== undefined) this.#idle();
    }
  }
}

/** The checks a caller's own method, service name and path get, for what `beforeRequest` set. */
function rerouted(ctx: CallContext): string {
  const method = String(ctx.method);
  validateServiceName(ctx.serviceName, method, 'beforeRequest');
  validateMethod(ctx.method, ctx.serviceName, 'beforeRequest');
  return validatePath(ctx.path, ctx.method, ctx.serviceName, 'beforeRequest');
}
