import { InterceptorChain } from '../chain/interceptor-chain.js';
import { runAfterResponse, runBeforeRequest, runHandleException } from '../chain/run-stages.js';
import type { LoadBalancer, Pick } from '../contracts/balancer.js';
import type { ServiceDiscovery } from '../contracts/discovery.js';
import type { ServiceInstance } from '../contracts/instance.js';
import type { ServiceInterceptor } from '../contracts/interceptor.js';
import type { Logger } from '../contracts/logger.js';
import type { CallOptions, HttpMethod } from '../contracts/request.js';
import type { OutgoingHeaders, RawResponse, Transport } from '../contracts/transport.js';
import {
  ClosedError,
  ConfigError,
  HttpStatusError,
  InvalidRequestError,
  isServiceCallerError,
  RegistryError,
  ServiceCallerError,
  ServiceUnavailableError,
  TimeoutError,
} from '../errors/index.js';
import { CallContext, copyOptions } from './context.js';
import { consoleLogger } from './logger.js';
import { originOf } from './origin.js';
import { jsonBodyType, parseJsonText, readBody } from './parse-body.js';
import { appendQuery } from './query.js';
import type { CallEngine, CallEngineOptions } from './types.js';
import {
  kindOf,
  MAX_TIMEOUT_MS,
  validateMethod,
  validateOptions,
  validatePath,
  validateServiceName,
} from './validate.js';

const NO_OPTIONS: CallOptions = Object.freeze({});
const NO_HEADERS: OutgoingHeaders = Object.freeze({});

/**
 * Builds the call engine: validate -> `beforeRequest` -> discovery -> balancer -> URL ->
 * transport -> parse, then `handleException` / `afterResponse`. Throws `ConfigError` when an
 * option is missing or malformed.
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
  return new Engine(normalizeOptions(options));
}

interface NormalizedOptions {
  discovery: ServiceDiscovery;
  transport: Transport;
  loadBalancer: LoadBalancer;
  interceptors: readonly ServiceInterceptor[];
  logger: Logger;
  timeout: number | undefined;
}

function normalizeOptions(options: CallEngineOptions): NormalizedOptions {
  const bad = (keyPath: string, expected: string, found: unknown): never => {
    throw new ConfigError({ file: '<createCallEngine>', keyPath, expected, found: kindOf(found) });
  };
  if (typeof options !== 'object' || options === null) bad('options', 'an object', options);
  const { discovery, transport, loadBalancer, interceptors = [], logger, timeout } = options;
  if (typeof discovery?.getInstances !== 'function') {
    bad('discovery', 'a ServiceDiscovery (an object with getInstances)', discovery);
  }
  if (typeof transport?.send !== 'function' || typeof transport.close !== 'function') {
    bad('transport', 'a Transport (an object with send and close)', transport);
  }
  if (typeof loadBalancer?.pick !== 'function') {
    bad('loadBalancer', 'a LoadBalancer (an object with pick)', loadBalancer);
  }
  if (logger !== undefined) {
    for (const level of ['debug', 'info', 'warn', 'error'] as const) {
      if (typeof logger?.[level] !== 'function') bad(`logger.${level}`, 'a function', logger?.[level]);
    }
  }
  if (
    timeout !== undefined &&
    (typeof timeout !== 'number' || !(timeout > 0) || timeout > MAX_TIMEOUT_MS || !Number.isFinite(timeout))
  ) {
    bad('timeout', `a positive number of milliseconds up to ${MAX_TIMEOUT_MS}`, timeout);
  }
  return { discovery, transport, loadBalancer, interceptors, logger: logger ?? consoleLogger(), timeout };
}

class Engine implements CallEngine {
  readonly #discovery: ServiceDiscovery;
  readonly #transport: Transport;
  readonly #balancer: LoadBalancer;
  readonly #logger: Logger;
  readonly #timeout: number | undefined;
  readonly #chain: InterceptorChain;
  #inFlight = 0;
  #closed = false;
  #closing: Promise<void> | undefined = undefined;
  #idle: (() => void) | undefined = undefined;

  constructor(options: NormalizedOptions) {
    this.#discovery = options.discovery;
    this.#transport = options.transport;
    this.#balancer = options.loadBalancer;
    this.#logger = options.logger;
    this.#timeout = options.timeout;
    this.#chain = new InterceptorChain(options.interceptors);
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
   * One call: the interceptor chain around one attempt. (Retries will loop over `#attempt` here;
   * the chain's stages stay once per call.)
   */
  async #call(
    method: HttpMethod,
    serviceName: string,
    path: string,
    options: CallOptions | undefined,
    raw: boolean,
  ): Promise<unknown> {
    if (this.#closed) throw new ClosedError('call engine');
    validateServiceName(serviceName, String(method));
    validateMethod(method, serviceName);
    const target = validatePath(path, method, serviceName);
    validateOptions(options, method, serviceName, 'options');
    // A call keeps the list it started with, whatever is added or removed meanwhile.
    const interceptors = this.#chain.snapshot;
    const chained = interceptors.length !== 0;
    const ctx = new CallContext(
      method,
      serviceName,
      path,
      chained ? copyOptions(options) : (options ?? NO_OPTIONS),
      raw,
    );
    this.#inFlight++;
    try {
      try {
        if (chained) {
          const before = runBeforeRequest(interceptors, ctx);
          if (before !== undefined) await before;
          validateOptions(ctx.options, method, serviceName, 'options after beforeRequest');
        }
        this.#prepare(ctx, target);
        await this.#attempt(ctx);
      } catch (error) {
        ctx.error =
          error === undefined ? new ServiceCallerError(`${method} call failed with undefined`) : error;
      }
      ctx.endTime = performance.now();
      ctx.duration = ctx.endTime - ctx.startTime;
      if (ctx.timer !== undefined) {
        // A raw response's body is read after the call resolves: the total timeout keeps
        // bounding it, without holding the process open.
        if (raw && ctx.error === undefined) ctx.timer.unref();
        else clearTimeout(ctx.timer);
      }
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
        await this.#dispose(response);
      }
      if (ctx.error !== undefined) throw ctx.error;
      return ctx.result;
    } finally {
      if (--this.#inFlight === 0 && this.#idle !== undefined) this.#idle();
    }
  }

  /** Builds what every attempt sends: target, headers, body, protocol and the deadline. */
  #prepare(ctx: CallContext, target: string): void {
    const options = ctx.options;
    const { method, serviceName } = ctx;
    const override = ctx.protocol !== ctx.initialProtocol ? ctx.protocol : options.protocol;
    if (override !== undefined && override !== 'http' && override !== 'https') {
      throw new InvalidRequestError(
        `invalid request ${method} to service '${serviceName}': an interceptor set ctx.protocol to ${kindOf(override)}; expected 'http' or 'https'`,
      );
    }
    ctx.protocolOverride = override;
    ctx.requestTarget = appendQuery(target, options.query);
    let headers: OutgoingHeaders = options.headers ?? NO_HEADERS;
    if (options.json !== undefined) {
      try {
        ctx.requestBody = JSON.stringify(options.json);
      } catch (error) {
        throw new InvalidRequestError(
          `invalid request ${method} to service '${serviceName}': options.json cannot be serialized as JSON (${(error as Error).message})`,
          { cause: error },
        );
      }
      if (!hasHeader(headers, 'content-type')) headers = { ...headers, 'content-type': 'application/json' };
    } else {
      ctx.requestBody = options.body;
    }
    ctx.requestHeaders = headers;
    ctx.throwHttpErrors = options.throwHttpErrors !== false;

    const signal = options.signal;
    if (signal?.aborted) throw signal.reason;
    const timeout = options.timeout ?? this.#timeout;
    if (timeout !== undefined) {
      const deadline = new AbortController();
      ctx.deadline = deadline;
      ctx.timeoutMs = timeout;
      ctx.timer = setTimeout(fireDeadline, timeout, ctx);
      ctx.signal = signal === undefined ? deadline.signal : AbortSignal.any([signal, deadline.signal]);
    } else {
      ctx.signal = signal;
    }
  }

  /** One attempt: look up, pick, send, read. Calls the pick's `done` exactly once. */
  async #attempt(ctx: CallContext): Promise<void> {
    ctx.attempt++;
    ctx.response = undefined;
    ctx.responseTime = undefined;
    const instances = this.#discovery.getCachedInstances?.(ctx.serviceName) ?? (await this.#lookup(ctx));
    if (instances.length === 0) {
      throw new ServiceUnavailableError(
        ctx.serviceName,
        `no instance is registered in the '${this.#discovery.name}' registry`,
      );
    }
    // The context has the `serviceName` a PickContext needs: no object per pick.
    const pick = this.#balancer.pick(instances, ctx);
    const instance = pick.instance;
    ctx.pick = pick;
    ctx.selectedInstance = instance;
    const protocol = ctx.protocolOverride ?? (instance.secure === true ? 'https' : 'http');
    ctx.protocol = protocol;
    const origin = originOf(protocol, instance);
    ctx.resolvedUrl = origin + ctx.requestTarget;
    // Only a balancer that wants the latency reported pays for the extra clock read.
    const started = pick.done === undefined ? 0 : performance.now();
    let failure: unknown;
    try {
      const response = await this.#transport.send({
        method: ctx.method,
        origin,
        path: ctx.requestTarget,
        headers: ctx.requestHeaders!,
        body: ctx.requestBody,
        signal: ctx.signal,
      });
      ctx.response = response;
      ctx.responseTime = performance.now();
      const status = response.status;
      const ok = status >= 200 && status < 300;
      if (ctx.raw) {
        ctx.result = response;
        if (status >= 500 && pick.done !== undefined) failure = statusError(ctx, response, undefined);
        return;
      }
      // The common JSON body is read here, without readBody's own async step.
      const jsonType = jsonBodyType(response, ctx.method);
      const body =
        jsonType === undefined
          ? await readBody(response, ctx.method, !ok)
          : parseJsonText(await response.text(), response, jsonType, !ok);
      if (!ok) {
        const error = statusError(ctx, response, body);
        if (ctx.throwHttpErrors) throw error;
        if (status >= 500) failure = error;
      }
      ctx.result = body;
    } catch (error) {
      // Our deadline or the caller's abort explains whatever the transport made of it.
      const signal = ctx.signal;
      failure = signal?.aborted ? signal.reason : error;
      const response = ctx.response;
      if (response !== undefined && !response.bodyUsed) await this.#dispose(response);
      throw failure;
    } finally {
      if (pick.done !== undefined) {
        // A 4xx is the caller's doing, not the instance's: reported as a success.
        const reported = failure instanceof HttpStatusError && failure.status < 500 ? undefined : failure;
        this.#done(pick, reported, performance.now() - started);
      }
    }
  }

  /** The cold path: the service has not been seen, so ask the registry (bounded by the call's signal). */
  async #lookup(ctx: CallContext): Promise<readonly ServiceInstance[]> {
    const signal = ctx.signal;
    try {
      if (signal === undefined) return await this.#discovery.getInstances(ctx.serviceName);
      signal.throwIfAborted();
      return await untilAborted(this.#discovery.getInstances(ctx.serviceName, { signal }), signal);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (isServiceCallerError(error)) throw error;
      throw new RegistryError(
        this.#discovery.name,
        `could not look up the instances of service '${ctx.serviceName}'`,
        { cause: error },
      );
    }
  }

  #done(pick: Pick, error: unknown, latencyMs: number): void {
    try {
      pick.done!({ error, latencyMs });
    } catch (thrown) {
      this.#logger.error(`load balancer '${this.#balancer.name}' threw in done(); ignored`, {
        balancer: this.#balancer.name,
        error: thrown,
      });
    }
  }

  async #dispose(response: RawResponse): Promise<void> {
    try {
      await response.dispose();
    } catch (error) {
      this.#logger.debug('disposing an unused response failed', { error });
    }
  }
}

/**
 * A 5xx answer counts as the instance's failure for load-aware balancers even when the call does
 * not throw for it; a 4xx is the caller's doing and is reported as a success.
 */
function statusError(ctx: CallContext, response: RawResponse, body: unknown): HttpStatusError {
  return new HttpStatusError({
    status: response.status,
    statusText: response.statusText,
    body,
    serviceName: ctx.serviceName,
    method: ctx.method,
    url: ctx.resolvedUrl!,
  });
}

function fireDeadline(ctx: CallContext): void {
  const where =
    ctx.resolvedUrl === undefined ? `service '${ctx.serviceName}'` : withoutQuery(ctx.resolvedUrl);
  ctx.deadline!.abort(new TimeoutError('total', ctx.timeoutMs, `${ctx.method} ${where}`));
}

function withoutQuery(url: string): string {
  const at = url.indexOf('?');
  return at < 0 ? url : url.slice(0, at);
}

function hasHeader(headers: OutgoingHeaders, lowerName: string): boolean {
  for (const name in headers) {
    if (name.length === lowerName.length && name.toLowerCase() === lowerName) return true;
  }
  return false;
}

function untilAborted<T>(pending: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
