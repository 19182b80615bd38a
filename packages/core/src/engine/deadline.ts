import { TimeoutError } from '../errors/index.js';
import { urlForMessage } from '../http/url.js';
import { shorten } from '../options/describe-value.js';
import type { AttemptRecord } from './attempt-record.js';
import type { CallContext } from './context.js';
import type { TrackedResponse } from './tracked-response.js';

/*
 * The call's time: its total `timeout` over all attempts (one timer per call, aborting
 * `ctx.signal`), each attempt's `perTryTimeout` (a timer and an abort controller of the
 * attempt's own, made only for calls that set one, or that hedge), and the waits between
 * attempts, which end early when the call is aborted.
 */

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
  // From the call's start (a little before this): a wait is refused when it would end past it.
  ctx.deadlineAt = ctx.startTime + timeout;
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
    ctx.resolvedUrl === undefined ? `service '${shorten(ctx.serviceName)}'` : urlForMessage(ctx.resolvedUrl);
  const reason = new TimeoutError('total', ctx.timeoutMs, `${ctx.method} ${where}`);
  ctx.deadline!.abort(reason);
  // A raw body nobody reads ends here: the abort released its connection.
  if (ctx.bodyPending) (ctx.response as TrackedResponse).settle(reason);
}

/**
 * Gives the attempt an abort controller of its own and returns its signal, for the transport:
 * aborted by the attempt's `perTryTimeout` (when the call has one), by the engine when a hedge
 * lost, and whenever the call's own signal aborts. {@link endAttemptSignal} undoes it.
 */
export function attemptSignal(ctx: CallContext, record: AttemptRecord): AbortSignal {
  const controller = new AbortController();
  record.controller = controller;
  const callSignal = ctx.signal;
  if (callSignal !== undefined) {
    if (callSignal.aborted) controller.abort(callSignal.reason);
    else {
      const unlink = () => controller.abort(callSignal.reason);
      record.unlink = unlink;
      callSignal.addEventListener('abort', unlink, { once: true });
    }
  }
  const perTry = ctx.perTryTimeout;
  if (perTry !== undefined && !controller.signal.aborted) {
    record.timer = setTimeout(fireAttemptTimeout, perTry, ctx, record);
  }
  return controller.signal;
}

function fireAttemptTimeout(ctx: CallContext, record: AttemptRecord): void {
  record.timer = undefined;
  const reason = new TimeoutError(
    'attempt',
    ctx.perTryTimeout!,
    `${ctx.method} ${urlForMessage(record.url)}`,
  );
  record.controller!.abort(reason);
}

/** Stops the attempt's own timer (a raw call's attempt is bounded until its headers only). */
export function clearAttemptTimer(record: AttemptRecord): void {
  if (record.timer === undefined) return;
  clearTimeout(record.timer);
  record.timer = undefined;
}

/** The attempt is over: its timer stops and the call's signal lets go of it. Idempotent. */
export function endAttemptSignal(ctx: CallContext, record: AttemptRecord): void {
  clearAttemptTimer(record);
  const unlink = record.unlink;
  if (unlink !== undefined) {
    record.unlink = undefined;
    ctx.signal!.removeEventListener('abort', unlink);
  }
}

/**
 * Waits `ms` before the next attempt; rejects with the call's abort reason as soon as the call is
 * aborted (its caller's signal or its total timeout), which ends the call.
 */
export function waitBeforeRetry(ctx: CallContext, ms: number): Promise<void> {
  const signal = ctx.signal;
  if (signal === undefined) return new Promise((resolve) => setTimeout(resolve, ms));
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
