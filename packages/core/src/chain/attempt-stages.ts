import type { CallAttempt, RequestContext } from '../contracts/context.js';
import type { ServiceInterceptor } from '../contracts/interceptor.js';
import type { Logger } from '../contracts/logger.js';
import { ServiceCallerError } from '../errors/index.js';
import { isThenable, logHookFailure } from './run-stages.js';

/*
 * The per-attempt hooks are synchronous: they run between the pick and the send (and, for raw
 * calls, when the caller finishes the body, where nothing could wait for them). The engine
 * passes only the interceptors that have one of them (`InterceptorChain.attemptHooks`).
 */

/**
 * Runs `beforeAttempt` of each interceptor in order. A throw fails the attempt; so does a
 * returned promise, which nothing would wait for (its rejection, if any, is logged).
 */
export function runBeforeAttempt(
  interceptors: readonly ServiceInterceptor[],
  ctx: RequestContext,
  attempt: CallAttempt,
  logger: Logger,
): void {
  for (let i = 0; i < interceptors.length; i++) {
    const interceptor = interceptors[i]!;
    if (interceptor.beforeAttempt === undefined) continue;
    const returned: unknown = interceptor.beforeAttempt(ctx, attempt);
    if (isThenable(returned)) {
      Promise.resolve(returned).catch((thrown: unknown) =>
        logHookFailure(logger, interceptor, 'beforeAttempt', ctx, thrown),
      );
      throw new ServiceCallerError(
        `interceptor '${interceptor.name}' returned a promise from beforeAttempt; the per-attempt hooks are synchronous (use beforeRequest for asynchronous work)`,
        { code: 'SC_ERR_INTERCEPTOR' },
      );
    }
  }
}

/**
 * Runs `afterAttempt` in reverse order. A throw, or a returned promise that rejects, is logged
 * and changes nothing: the attempt's outcome is already known.
 */
export function runAfterAttempt(
  interceptors: readonly ServiceInterceptor[],
  ctx: RequestContext,
  attempt: CallAttempt,
  logger: Logger,
): void {
  for (let i = interceptors.length - 1; i >= 0; i--) {
    const interceptor = interceptors[i]!;
    if (interceptor.afterAttempt === undefined) continue;
    try {
      const returned: unknown = interceptor.afterAttempt(ctx, attempt);
      if (isThenable(returned)) {
        Promise.resolve(returned).catch((thrown: unknown) =>
          logHookFailure(logger, interceptor, 'afterAttempt', ctx, thrown),
        );
      }
    } catch (thrown) {
      logHookFailure(logger, interceptor, 'afterAttempt', ctx, thrown);
    }
  }
}
