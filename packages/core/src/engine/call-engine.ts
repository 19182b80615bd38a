import { InterceptorChain } from '../chain/interceptor-chain.js';
import { runAfterResponse, runBeforeRequest, runHandleException } from '../chain/run-stages.js';
import type { ServiceInterceptor } from '../contracts/interceptor.js';
import type { Logger } from '../contracts/logger.js';
import type { CallOptions, HttpMethod } from '../contracts/request.js';
import type { RawResponse, Transport } from '../contracts/transport.js';
import { ClosedError, ServiceCallerError } from '../errors/index.js';
import { AttemptRunner } from './attempt-runner.js';
import { CallContext, copyOptions } from './context.js';
import { endDeadline, startDeadline } from './deadline.js';
import { type NormalizedEngineOptions, normalizeEngineOptions } from './engine-options.js';
import { prepareRequest } from './prepare-request.js';
import { disposeQuietly } from './read-response.js';
import type { CallEngine, CallEngineOptions } from './types.js';
import { validateMethod, validateOptions, validatePath, validateServiceName } from './validate.js';

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
 * preparation (`prepare-request.ts`), the deadline (`deadline.ts`) and the attempt
 * (`attempt-runner.ts`, which reports through `attempt-outcome.ts`). It owns what spans calls:
 * the interceptor list, the calls in flight and closing.
 */
class Engine implements CallEngine {
  readonly #transport: Transport;
  readonly #logger: Logger;
  readonly #timeout: number | undefined;
  readonly #chain: InterceptorChain;
  readonly #attempts: AttemptRunner;
  #inFlight = 0;
  #closed = false;
  #closing: Promise<void> | undefined = undefined;
  #idle: (() => void) | undefined = undefined;

  constructor(options: NormalizedEngineOptions) {
    this.#transport = options.transport;
    this.#logger = options.logger;
    this.#timeout = options.timeout;
    this.#chain = new InterceptorChain(options.interceptors);
    this.#attempts = new AttemptRunner(options);
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
      await new Promise<void>((resolve) => {
        this.#idle = resolve;
      });
    }
    await this.#transport.close();
  }

  /**
   * One call: the interceptor chain around the attempts. (Retries will loop over the attempt
   * runner here; the chain's stages stay once per call.) Checking the request and building the
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
    return this.#run(ctx, target, interceptors);
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
          const before = runBeforeRequest(interceptors, ctx);
          if (before !== undefined) await before;
          validateOptions(ctx.options, ctx.method, ctx.serviceName, 'options after beforeRequest');
        }
        prepareRequest(ctx, target);
        startDeadline(ctx, this.#timeout);
        await this.#attempts.run(ctx);
      } catch (error) {
        ctx.error =
          error === undefined ? new ServiceCallerError(`${ctx.method} call failed with undefined`) : error;
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
      if (--this.#inFlight === 0 && this.#idle !== undefined) this.#idle();
    }
  }
}
