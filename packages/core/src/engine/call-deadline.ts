import type { AbortHook, AbortHookListener } from '../contracts/transport.js';
import { TimeoutError } from '../errors/index.js';
import { urlForMessage } from '../http/url.js';
import { shorten } from '../options/describe-value.js';
import type { CallContext } from './context.js';
import type { DeadlineClock } from './deadline-clock.js';
import type { TrackedResponse } from './tracked-response.js';

/**
 * A call's total timeout and everything that aborts the call: the timeout itself (its
 * {@link DeadlineClock} expires it), the caller's signal (it listens to it, as `handleEvent`)
 * and the engine's `close()`. It is the `AbortHook` the engine passes to a transport that reads
 * one, so a call that nothing aborts costs this one object: no `AbortController` (made only when
 * something asks for `signal`), no timer of its own (one per engine), no `AbortSignal.any`.
 *
 * Its clock keeps it in a list of the deadlines with the same timeout (`older` / `newer`, no
 * array), so adding and removing it costs a few field writes.
 * @internal
 */
export class CallDeadline implements AbortHook {
  readonly ctx: CallContext;
  readonly clock: DeadlineClock;
  readonly timeoutMs: number;
  /** `performance.now()` at which it expires: its timeout from when it started. */
  readonly expiresAt: number;
  /** The caller's signal, listened to while the deadline runs. */
  readonly callerSignal: AbortSignal | undefined;
  aborted = false;
  reason: unknown = undefined;
  /** Links in the clock's list of deadlines with the same timeout; `listed` while in it. */
  older: CallDeadline | undefined = undefined;
  newer: CallDeadline | undefined = undefined;
  listed = false;
  /** Whether it keeps the engine's timer (and so the process) alive: not for a raw body left unread. */
  holds = true;
  /** Whether `clearDeadline` ran: no more expiry, the caller's signal let go. */
  cleared = false;
  #listener: AbortHookListener | undefined = undefined;
  #moreListeners: AbortHookListener[] | undefined = undefined;
  #controller: AbortController | undefined = undefined;

  constructor(
    ctx: CallContext,
    clock: DeadlineClock,
    timeoutMs: number,
    callerSignal: AbortSignal | undefined,
  ) {
    this.ctx = ctx;
    this.clock = clock;
    this.timeoutMs = timeoutMs;
    this.expiresAt = performance.now() + timeoutMs;
    this.callerSignal = callerSignal;
  }

  /** The call's abort as an `AbortSignal`: made on first use (a lookup, a retry's wait, a transport without the hook). */
  get signal(): AbortSignal {
    let controller = this.#controller;
    if (controller === undefined) {
      controller = new AbortController();
      this.#controller = controller;
      if (this.aborted) controller.abort(this.reason);
    }
    return controller.signal;
  }

  listen(listener: AbortHookListener): void {
    if (this.#listener === undefined) this.#listener = listener;
    else if (this.#moreListeners === undefined) this.#moreListeners = [listener];
    else this.#moreListeners.push(listener);
  }

  unlisten(listener: AbortHookListener): void {
    if (this.#listener === listener) {
      this.#listener = this.#moreListeners?.shift();
      return;
    }
    const more = this.#moreListeners;
    if (more === undefined) return;
    const index = more.indexOf(listener);
    if (index !== -1) more.splice(index, 1);
  }

  /** Aborts the call with `reason`: the first reason wins, later ones do nothing. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const first = this.#listener;
    const more = this.#moreListeners;
    // Listeners let go of the hook as they settle; each is told once.
    this.#listener = undefined;
    this.#moreListeners = undefined;
    if (first !== undefined) first.handleAbort(reason);
    if (more !== undefined) for (const listener of more) listener.handleAbort(reason);
    this.#controller?.abort(reason);
  }

  /** The caller's signal aborted (the deadline is its listener: no closure per call). */
  handleEvent(): void {
    this.abort(this.callerSignal!.reason);
  }

  /** The total timeout ran out: called by the clock, the deadline already out of its list. */
  expire(): void {
    if (this.aborted) return;
    const ctx = this.ctx;
    const where =
      ctx.resolvedUrl === undefined
        ? `service '${shorten(ctx.serviceName)}'`
        : urlForMessage(ctx.resolvedUrl);
    const reason = new TimeoutError('total', this.timeoutMs, `${ctx.method} ${where}`);
    this.abort(reason);
    // A raw body nobody reads ends here: the abort released its connection.
    if (ctx.bodyPending) (ctx.response as TrackedResponse).settle(reason);
  }
}
