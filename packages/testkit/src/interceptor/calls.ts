import {
  type CallAttempt,
  ConnectionError,
  HttpStatusError,
  type RawResponse,
  type RequestContext,
  type ServiceInstance,
  type ServiceInterceptor,
  ServiceUnavailableError,
} from '@service-caller/core';
import { createRequestContext, finishAttempt, startAttempt } from '@service-caller/core/adapter';

/*
 * Calls played through an interceptor's hooks the way the engine plays them, on real contexts
 * from core's `createRequestContext`, without a network: what the conformance suite drives.
 */

type CallOptionsOf = Parameters<typeof createRequestContext>[0]['options'];

/** A context in the state the engine hands to `beforeRequest`. */
export function newContext(
  options: CallOptionsOf,
  init: { path?: string; raw?: boolean } = {},
): RequestContext {
  return createRequestContext({
    method: 'POST',
    serviceName: 'conformance-service',
    path: init.path ?? '/conformance',
    options,
    raw: init.raw ?? false,
  });
}

/** The instance the suite's attempts go to (the concurrent calls use one port per call). */
export const INSTANCE: ServiceInstance = instanceOn(8080);

function instanceOn(port: number): ServiceInstance {
  return Object.freeze({
    id: `127.0.0.1:${port}`,
    serviceName: 'conformance-service',
    host: '127.0.0.1',
    port,
    weight: 1,
    healthy: true,
    metadata: Object.freeze({}),
  });
}

/**
 * Starts an attempt as the engine does once the balancer has picked `instance` (`startAttempt`
 * fills the context's attempt fields and gives the attempt its own headers) and runs
 * `beforeAttempt`, which must not return a promise: nothing waits for one.
 */
export function beginAttempt(
  interceptor: ServiceInterceptor,
  ctx: RequestContext,
  instance: ServiceInstance = INSTANCE,
): CallAttempt {
  const attempt = startAttempt(ctx, instance);
  const returned: unknown = interceptor.beforeAttempt?.(ctx, attempt);
  if (isThenable(returned)) {
    throw new Error('beforeAttempt returned a promise; the per-attempt hooks are synchronous');
  }
  return attempt;
}

/** Ends an attempt with its outcome and runs `afterAttempt` (synchronous too). */
export function endAttempt(
  interceptor: ServiceInterceptor,
  ctx: RequestContext,
  attempt: CallAttempt,
  outcome: { status?: number; error?: unknown },
): void {
  finishAttempt(attempt, outcome);
  const returned: unknown = interceptor.afterAttempt?.(ctx, attempt);
  if (isThenable(returned)) {
    throw new Error('afterAttempt returned a promise; the per-attempt hooks are synchronous');
  }
}

/** One whole attempt: {@link beginAttempt}, the outcome, {@link endAttempt}. */
export function attemptOnce(
  interceptor: ServiceInterceptor,
  ctx: RequestContext,
  outcome: { status?: number; error?: unknown },
  instance: ServiceInstance = INSTANCE,
): CallAttempt {
  const attempt = beginAttempt(interceptor, ctx, instance);
  endAttempt(interceptor, ctx, attempt, outcome);
  return attempt;
}

function isThenable(value: unknown): boolean {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}

/** What the engine sets when the call ends. */
export function end(ctx: RequestContext): void {
  ctx.endTime = performance.now();
  ctx.duration = ctx.endTime - ctx.startTime;
}

/** The stages after a failure, in the engine's order. */
export async function runFailureStages(interceptor: ServiceInterceptor, ctx: RequestContext): Promise<void> {
  await interceptor.handleException?.(ctx);
  await interceptor.afterResponse?.(ctx);
}

/** A response whose body the engine has already read, as interceptors see it after a parsed call. */
export function consumedResponse(status: number, url: string): RawResponse {
  const used = () => Promise.reject(new TypeError('the body has already been read'));
  return response(status, url, true, { json: used, text: used, bytes: used, arrayBuffer: used });
}

/**
 * A raw call's response, whose body belongs to the caller: `reads` counts every attempt to read
 * or dispose it, which an interceptor must not make.
 */
export function unreadResponse(status: number, url: string): RawResponse & { readonly reads: string[] } {
  const reads: string[] = [];
  const read = (what: string) => () => {
    reads.push(what);
    return Promise.reject(new TypeError(`an interceptor called ${what}() on the caller's raw response`));
  };
  const raw = response(status, url, false, {
    json: read('json'),
    text: read('text'),
    bytes: read('bytes'),
    arrayBuffer: read('arrayBuffer'),
    dispose: read('dispose'),
  });
  return Object.assign(raw, { reads });
}

function response(
  status: number,
  url: string,
  bodyUsed: boolean,
  readers: Partial<Pick<RawResponse, 'json' | 'text' | 'bytes' | 'arrayBuffer' | 'dispose'>>,
): RawResponse {
  const dispose = readers.dispose ?? (() => Promise.resolve());
  return {
    status,
    statusText: STATUS_TEXT[status] ?? '',
    headers: status === 204 ? {} : { 'content-type': 'application/json' },
    url,
    bodyUsed,
    body: null,
    json: readers.json!,
    text: readers.text!,
    bytes: readers.bytes!,
    arrayBuffer: readers.arrayBuffer!,
    dispose,
    [Symbol.asyncDispose]: dispose,
  } as RawResponse;
}

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  204: 'No Content',
  404: 'Not Found',
  503: 'Service Unavailable',
};

/** How a played call ends. */
export type CallEnding = 'success' | 'status' | 'no-instance' | 'no-response';

export const CALL_ENDINGS: readonly CallEnding[] = ['success', 'status', 'no-instance', 'no-response'];

/** A call started through `beforeRequest`, to be ended with {@link finishCall}. */
export interface PlayedCall {
  readonly ctx: RequestContext;
  readonly ending: CallEnding;
  /** What the engine put in `ctx.result` (success) or `ctx.error` (failures). */
  readonly outcome: unknown;
}

/**
 * Starts call `index` through `beforeRequest` with its own marker header and query value, so
 * that a test can see whether anything of one call shows up in another.
 */
export async function startCall(
  interceptor: ServiceInterceptor,
  index: number,
  ending: CallEnding,
): Promise<PlayedCall> {
  const ctx = newContext(
    { headers: { 'x-conformance-call': String(index) }, query: { call: index } },
    { path: `/conformance/${index}` },
  );
  await interceptor.beforeRequest?.(ctx);
  const outcome =
    ending === 'success'
      ? { call: index }
      : ending === 'status'
        ? new HttpStatusError({
            status: 503,
            statusText: 'Service Unavailable',
            body: { call: index },
            serviceName: ctx.serviceName,
            method: ctx.method,
            url: `http://127.0.0.1:${8000 + index}${ctx.path}`,
          })
        : ending === 'no-instance'
          ? new ServiceUnavailableError(ctx.serviceName)
          : new ConnectionError(`connect ECONNREFUSED 127.0.0.1:${8000 + index} (call ${index})`);
  return { ctx, ending, outcome };
}

/** Ends a call started by {@link startCall} the way the engine would, through the after-stages. */
export async function finishCall(
  interceptor: ServiceInterceptor,
  call: PlayedCall,
  index: number,
): Promise<void> {
  const { ctx, ending, outcome } = call;
  if (ending !== 'no-instance') {
    const status = ending === 'success' ? 200 : ending === 'status' ? 503 : undefined;
    attemptOnce(
      interceptor,
      ctx,
      { status, error: ending === 'success' ? undefined : outcome },
      instanceOn(8000 + index),
    );
  }
  if (ending === 'success' || ending === 'status') {
    ctx.response = consumedResponse(ending === 'success' ? 200 : 503, ctx.resolvedUrl!);
    ctx.responseTime = performance.now();
  }
  if (ending === 'success') ctx.result = outcome;
  else ctx.error = outcome;
  end(ctx);
  if (ctx.error !== undefined) await interceptor.handleException?.(ctx);
  await interceptor.afterResponse?.(ctx);
}
