import { TimeoutError } from '../errors/index.js';
import { withoutQuery } from '../http/url.js';
import type { CallContext } from './context.js';
import type { TrackedResponse } from './tracked-response.js';

/**
 * Starts the call's deadline: its total `timeout` (the call's own, else the engine default), which
 * aborts what the attempts pass to the transport, combined with the caller's `signal`. Sets
 * `ctx.signal`. Throws the caller signal's reason when it is already aborted.
 */
export function startDeadline(ctx: CallContext, defaultTimeout: number | undefined): void {
  const signal = ctx.options.signal;
  if (signal?.aborted) throw signal.reason;
  const timeout = ctx.options.timeout ?? defaultTimeout;
  if (timeout === undefined) {
    ctx.signal = signal;
    return;
  }
  const deadline = new AbortController();
  ctx.deadline = deadline;
  ctx.timeoutMs = timeout;
  ctx.timer = setTimeout(fireDeadline, timeout, ctx);
  ctx.signal = signal === undefined ? deadline.signal : AbortSignal.any([signal, deadline.signal]);
}

/**
 * The call is over: its deadline stops, unless the call resolved with a raw response whose body
 * is still to be read. The total timeout keeps bounding that body until it has been read or
 * disposed ({@link clearDeadline}), without holding the process open where timers can be unref'd.
 */
export function endDeadline(ctx: CallContext): void {
  const timer = ctx.timer;
  if (timer === undefined) return;
  if (ctx.bodyPending && ctx.error === undefined) {
    // Node's timers have unref(); Deno's and workerd's setTimeout return a number.
    if (typeof timer === 'object' && typeof timer.unref === 'function') timer.unref();
  } else {
    clearDeadline(ctx);
  }
}

/** Stops the deadline's timer, so that nothing keeps the call's context alive. Idempotent. */
export function clearDeadline(ctx: CallContext): void {
  if (ctx.timer === undefined) return;
  clearTimeout(ctx.timer);
  ctx.timer = undefined;
}

function fireDeadline(ctx: CallContext): void {
  ctx.timer = undefined;
  const where =
    ctx.resolvedUrl === undefined ? `service '${ctx.serviceName}'` : withoutQuery(ctx.resolvedUrl);
  const reason = new TimeoutError('total', ctx.timeoutMs, `${ctx.method} ${where}`);
  ctx.deadline!.abort(reason);
  // A raw body nobody reads ends here: the abort released its connection.
  if (ctx.bodyPending) (ctx.response as TrackedResponse).settle(reason);
}
