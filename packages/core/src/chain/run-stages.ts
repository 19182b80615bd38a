import type { RequestContext } from '../contracts/context.js';
import type { ServiceInterceptor } from '../contracts/interceptor.js';
import type { Logger } from '../contracts/logger.js';
import { withoutQuery } from '../http/url.js';

/*
 * The three stages run synchronously for as long as hooks return plain values and switch to an
 * async continuation at the first hook that returns a promise: a chain of synchronous hooks costs
 * no microtask, which matters because every call runs it. Each runner returns `undefined` when it
 * finished synchronously, so the caller awaits only a real promise.
 */

type Stage = 'afterResponse' | 'handleException';

/** Whether a hook returned something to wait for. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== undefined && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * Runs `beforeRequest` of each interceptor in order. A throw (or rejection) propagates: the call
 * fails before anything is sent. Returns a promise only when a hook returned one.
 */
export function runBeforeRequest(
  interceptors: readonly ServiceInterceptor[],
  ctx: RequestContext,
): Promise<void> | undefined {
  for (let i = 0; i < interceptors.length; i++) {
    const interceptor = interceptors[i]!;
    if (interceptor.beforeRequest === undefined) continue;
    const returned = interceptor.beforeRequest(ctx);
    if (isThenable(returned)) return beforeRequestAsync(interceptors, ctx, i + 1, returned);
  }
  return undefined;
}

async function beforeRequestAsync(
  interceptors: readonly ServiceInterceptor[],
  ctx: RequestContext,
  from: number,
  pending: PromiseLike<unknown>,
): Promise<void> {
  await pending;
  for (let i = from; i < interceptors.length; i++) {
    const interceptor = interceptors[i]!;
    if (interceptor.beforeRequest === undefined) continue;
    const returned = interceptor.beforeRequest(ctx);
    if (isThenable(returned)) await returned;
  }
}

/**
 * Runs `handleException` in reverse order while `ctx.error` is set: an interceptor that clears
 * `ctx.error` has handled the failure and the rest are skipped. A hook that throws is logged and
 * its changes to `ctx.error` and `ctx.result` are undone (a half-run handler has not handled
 * anything); the chain then goes on.
 */
export function runHandleException(
  interceptors: readonly ServiceInterceptor[],
  ctx: RequestContext,
  logger: Logger,
): Promise<void> | undefined {
  return runReverse(interceptors, ctx, logger, 'handleException');
}

/**
 * Runs `afterResponse` in reverse order. A hook that throws is logged and its changes to
 * `ctx.error` and `ctx.result` are undone; the remaining hooks still run.
 */
export function runAfterResponse(
  interceptors: readonly ServiceInterceptor[],
  ctx: RequestContext,
  logger: Logger,
): Promise<void> | undefined {
  return runReverse(interceptors, ctx, logger, 'afterResponse');
}

/** Whether the reverse-order stage goes on to the next interceptor. */
function goesOn(stage: Stage, ctx: RequestContext): boolean {
  // handleException stops once an interceptor has handled (cleared) the error.
  return stage === 'afterResponse' || ctx.error !== undefined;
}

function runReverse(
  interceptors: readonly ServiceInterceptor[],
  ctx: RequestContext,
  logger: Logger,
  stage: Stage,
): Promise<void> | undefined {
  for (let i = interceptors.length - 1; i >= 0 && goesOn(stage, ctx); i--) {
    const interceptor = interceptors[i]!;
    const hook = interceptor[stage];
    if (hook === undefined) continue;
    const error = ctx.error;
    const result = ctx.result;
    let returned: unknown;
    try {
      returned = hook.call(interceptor, ctx);
    } catch (thrown) {
      undo(ctx, error, result, interceptor, stage, thrown, logger);
      continue;
    }
    if (isThenable(returned)) {
      return runReverseAsync(interceptors, ctx, logger, stage, i, returned, error, result);
    }
  }
  return undefined;
}

async function runReverseAsync(
  interceptors: readonly ServiceInterceptor[],
  ctx: RequestContext,
  logger: Logger,
  stage: Stage,
  at: number,
  pending: PromiseLike<unknown>,
  error: unknown,
  result: unknown,
): Promise<void> {
  try {
    await pending;
  } catch (thrown) {
    undo(ctx, error, result, interceptors[at]!, stage, thrown, logger);
  }
  for (let i = at - 1; i >= 0 && goesOn(stage, ctx); i--) {
    const interceptor = interceptors[i]!;
    const hook = interceptor[stage];
    if (hook === undefined) continue;
    const before = ctx.error;
    const resultBefore = ctx.result;
    try {
      await hook.call(interceptor, ctx);
    } catch (thrown) {
      undo(ctx, before, resultBefore, interceptor, stage, thrown, logger);
    }
  }
}

function undo(
  ctx: RequestContext,
  error: unknown,
  result: unknown,
  interceptor: ServiceInterceptor,
  stage: Stage,
  thrown: unknown,
  logger: Logger,
): void {
  ctx.error = error;
  ctx.result = result;
  logHookFailure(logger, interceptor, stage, ctx, thrown, "; the call's outcome is kept");
}

/** Logs a hook's throw. A broken logger must not turn a logged hook failure into a failed call. */
export function logHookFailure(
  logger: Logger,
  interceptor: ServiceInterceptor,
  stage: string,
  ctx: RequestContext,
  thrown: unknown,
  consequence = '; ignored',
): void {
  try {
    logger.error(`interceptor '${interceptor.name}' threw in ${stage}${consequence}`, {
      interceptor: interceptor.name,
      stage,
      serviceName: ctx.serviceName,
      method: ctx.method,
      // The query string is left out: callers sometimes put tokens there.
      path: withoutQuery(ctx.path),
      error: thrown,
    });
  } catch {
    // Nothing left to tell.
  }
}
