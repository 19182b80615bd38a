import type { RequestContext } from '../contracts/context.js';
import type { ServiceInterceptor } from '../contracts/interceptor.js';
import type { Logger } from '../contracts/logger.js';

/*
 * The three stages run synchronously for as long as hooks return plain values and switch to an
 * async continuation at the first hook that returns a promise: a chain of synchronous hooks costs
 * no microtask, which matters because every call runs it. Each runner returns `undefined` when it
 * finished synchronously, so the caller awaits only a real promise.
 */

type Stage = 'afterResponse' | 'handleException';

function isThenable(value: unknown): value is PromiseLike<unknown> {
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
  for (let i = interceptors.length - 1; i >= 0 && ctx.error !== undefined; i--) {
    const interceptor = interceptors[i]!;
    if (interceptor.handleException === undefined) continue;
    const error = ctx.error;
    const result = ctx.result;
    let returned: unknown;
    try {
      returned = interceptor.handleException(ctx);
    } catch (thrown) {
      undo(ctx, error, result, interceptor, 'handleException', thrown, logger);
      continue;
    }
    if (isThenable(returned)) {
      return handleExceptionAsync(interceptors, ctx, logger, i, returned, error, result);
    }
  }
  return undefined;
}

async function handleExceptionAsync(
  interceptors: readonly ServiceInterceptor[],
  ctx: RequestContext,
  logger: Logger,
  at: number,
  pending: PromiseLike<unknown>,
  error: unknown,
  result: unknown,
): Promise<void> {
  try {
    await pending;
  } catch (thrown) {
    undo(ctx, error, result, interceptors[at]!, 'handleException', thrown, logger);
  }
  for (let i = at - 1; i >= 0 && ctx.error !== undefined; i--) {
    const interceptor = interceptors[i]!;
    if (interceptor.handleException === undefined) continue;
    const before = ctx.error;
    const resultBefore = ctx.result;
    try {
      await interceptor.handleException(ctx);
    } catch (thrown) {
      undo(ctx, before, resultBefore, interceptor, 'handleException', thrown, logger);
    }
  }
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
  for (let i = interceptors.length - 1; i >= 0; i--) {
    const interceptor = interceptors[i]!;
    if (interceptor.afterResponse === undefined) continue;
    const error = ctx.error;
    const result = ctx.result;
    let returned: unknown;
    try {
      returned = interceptor.afterResponse(ctx);
    } catch (thrown) {
      undo(ctx, error, result, interceptor, 'afterResponse', thrown, logger);
      continue;
    }
    if (isThenable(returned)) {
      return afterResponseAsync(interceptors, ctx, logger, i, returned, error, result);
    }
  }
  return undefined;
}

async function afterResponseAsync(
  interceptors: readonly ServiceInterceptor[],
  ctx: RequestContext,
  logger: Logger,
  at: number,
  pending: PromiseLike<unknown>,
  error: unknown,
  result: unknown,
): Promise<void> {
  try {
    await pending;
  } catch (thrown) {
    undo(ctx, error, result, interceptors[at]!, 'afterResponse', thrown, logger);
  }
  for (let i = at - 1; i >= 0; i--) {
    const interceptor = interceptors[i]!;
    if (interceptor.afterResponse === undefined) continue;
    const before = ctx.error;
    const resultBefore = ctx.result;
    try {
      await interceptor.afterResponse(ctx);
    } catch (thrown) {
      undo(ctx, before, resultBefore, interceptor, 'afterResponse', thrown, logger);
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
  try {
    logger.error(`interceptor '${interceptor.name}' threw in ${stage}; the call's outcome is kept`, {
      interceptor: interceptor.name,
      stage,
      serviceName: ctx.serviceName,
      method: ctx.method,
      // The query string is left out: callers sometimes put tokens there.
      path: withoutQuery(ctx.path),
      error: thrown,
    });
  } catch {
    // A broken logger must not turn a logged interceptor failure into a failed call.
  }
}

function withoutQuery(path: string): string {
  const at = path.indexOf('?');
  return at < 0 ? path : path.slice(0, at);
}
