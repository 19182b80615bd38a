import { TimeoutError } from '../errors/index.js';
import { urlForMessage } from '../http/url.js';
import type { AttemptRecord } from './attempt-record.js';
import { CallDeadline } from './call-deadline.js';
import type { CallContext } from './context.js';
import type { DeadlineClock } from './deadline-clock.js';

/*
 * The call's time: its total `timeout` over all attempts (a `CallDeadline` per call on the
 * engine's one timer, the `DeadlineClock`, aborting what the attempts pass to the transport),
 * each attempt's `perTryTimeout` (a timer and an abort controller of the attempt's own, made only
 * for calls that set one, or that hedge), and the waits between attempts, which end early when
 * the call is aborted.
 */

/**
 * Starts the call's deadline: its total `timeout` (the call's own, else the engine default), on
 * `clock`, which also carries the caller's `signal` when there is one. Sets `ctx.deadline` (or,
 * without a timeout, `ctx.callerSignal` alone). Throws the caller signal's reason when it is
 * already aborted.
 */
export function startDeadline(
  ctx: CallContext,
  defaultTimeout: number | undefined,
  clock: DeadlineClock,
): void {
  const signal = ctx.options.signal;
  if (signal?.aborted) throw signal.reason;
  ctx.callerSignal = signal;
  const timeout = ctx.options.timeout ?? defaultTimeout;
  if (timeout === undefined) return;
  const deadline = new CallDeadline(ctx, clock, timeout, signal);
  ctx.deadline = deadline;
  ctx.timeoutMs = timeout;
  // From the call's start (a little before this): a wait is refused when it would end past it.
  ctx.deadlineAt = ctx.startTime + timeout;
  clock.add(deadline);
  signal?.addEventListener('abort', deadline);
}

/**
 * The call is over: its deadline stops, unless the call resolved with a raw response whose body
 * is still to be read. The total timeout keeps bounding that body until it has been read or
 * disposed ({@link clearDeadline}), without holding the process open where timers can be unref'd.
 */
export function endDeadline(ctx: CallContext): void {
  const deadline = ctx.deadline;
  if (deadline === undefined || deadline.cleared) return;
  if (ctx.bodyPending && ctx.error === undefined) deadline.clock.release(deadline);
  else clearDeadline(ctx);
}

/** Stops the deadline, so that nothing keeps the call's context alive. Idempotent. */
export function clearDeadline(ctx: CallContext): void {
  const deadline = ctx.deadline;
  if (deadline === undefined || deadline.cleared) return;
  deadline.cleared = true;
  deadline.clock.remove(deadline);
  deadline.callerSignal?.removeEventListener('abort', deadline);
}

/** Whether the call has been aborted: its total timeout, its caller's signal, or `close()`. */
export function callAborted(ctx: CallContext): boolean {
  const deadline = ctx.deadline;
  return deadline === undefined ? ctx.callerSignal?.aborted === true : deadline.aborted;
}

/** Why the call was aborted (see {@link callAborted}). */
export function callAbortReason(ctx: CallContext): unknown {
  const deadline = ctx.deadline;
  return deadline === undefined ? ctx.callerSignal?.reason : deadline.reason;
}

/**
 * The call's abort as an `AbortSignal`, for what takes only a signal (a registry's lookup, a
 * transport without `usesAbortHook`): the caller's own when the call has no timeout, else the
 * deadline's, made on this first use. `undefined` when nothing can abort the call.
 */
export function callSignal(ctx: CallContext): AbortSignal | undefined {
  const deadline = ctx.deadline;
  return deadline === undefined ? ctx.callerSignal : deadline.signal;
}

/**
 * Gives the attempt an abort controller of its own and returns its signal, for the transport:
 * aborted by the attempt's `perTryTimeout` (when the call has one), by the engine when a hedge
 * lost, and whenever the call's own signal aborts. {@link endAttemptSignal} undoes it.
 */
export function attemptSignal(ctx: CallContext, record: AttemptRecord): AbortSignal {
  const controller = new AbortController();
  record.controller = controller;
  const deadline = ctx.deadline;
  const callerSignal = ctx.callerSignal;
  if (deadline !== undefined) {
    // The record is the deadline's listener (`handleAbort`): no closure, no call signal made.
    if (deadline.aborted) controller.abort(deadline.reason);
    else {
      record.listening = deadline;
      deadline.listen(record);
    }
  } else if (callerSignal !== undefined) {
    if (callerSignal.aborted) controller.abort(callerSignal.reason);
    else {
      const unlink = () => controller.abort(callerSignal.reason);
      record.unlink = unlink;
      callerSignal.addEventListener('abort', unlink, { once: true });
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
  const listening = record.listening;
  if (listening !== undefined) {
    record.listening = undefined;
    listening.unlisten(record);
  }
  const unlink = record.unlink;
  if (unlink !== undefined) {
    record.unlink = undefined;
    ctx.callerSignal!.removeEventListener('abort', unlink);
  }
}

/**
 * Waits `ms` before the next attempt; rejects with the call's abort reason as soon as the call is
 * aborted (its caller's signal or its total timeout), which ends the call.
 */
export function waitBeforeRetry(ctx: CallContext, ms: number): Promise<void> {
  const signal = callSignal(ctx);
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
