import { TimeoutError } from '../errors/index.js';
import type { CallContext } from './context.js';
import { withoutQuery } from './url.js';

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
 * The call is over: its deadline stops. A raw response's body is read after the call resolved,
 * so for a raw call that succeeded the total timeout keeps bounding it, without holding the
 * process open.
 */
export function endDeadline(ctx: CallContext): void {
  const timer = ctx.timer;
  if (timer === undefined) return;
  if (ctx.raw && ctx.error === undefined) timer.unref();
  else clearTimeout(timer);
}

function fireDeadline(ctx: CallContext): void {
  const where =
    ctx.resolvedUrl === undefined ? `service '${ctx.serviceName}'` : withoutQuery(ctx.resolvedUrl);
  ctx.deadline!.abort(new TimeoutError('total', ctx.timeoutMs, `${ctx.method} ${where}`));
}
