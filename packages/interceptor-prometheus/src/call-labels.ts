import type { RequestContext } from '@service-caller/core';

/**
 * What the caller got from a call (or how an attempt ended), the `outcome` label:
 * - `success`: a result (a 4xx the call did not throw for included: `status_class` says it);
 * - `error`: the call rejected;
 * - `fallback`: it failed, and an interceptor turned the failure into a result;
 * - `cancelled`: the caller's own signal aborted it (with a reason other than a timeout).
 */
export type Outcome = 'success' | 'error' | 'fallback' | 'cancelled';

/** The `status_class` label: the response status' class, or `none` when no response came. */
export type StatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx' | 'none';

export const OUTCOMES: readonly Outcome[] = ['success', 'error', 'fallback', 'cancelled'];
export const STATUS_CLASSES: readonly StatusClass[] = ['1xx', '2xx', '3xx', '4xx', '5xx', 'none'];

/** Index into {@link STATUS_CLASSES} of a response status (`undefined` when none came). */
export function statusClassIndex(status: number | undefined): number {
  if (status === undefined || status < 100 || status > 599) return 5;
  return Math.floor(status / 100) - 1;
}

/**
 * Index into {@link OUTCOMES}. `failure` is the call's error as `handleException` saw it (a
 * fallback interceptor may have cleared `ctx.error` since: `handled`), or an attempt's error (an
 * attempt is never handled: its call may be, or may retry).
 */
export function outcomeIndex(ctx: RequestContext, failure: unknown, handled: boolean): number {
  if (failure === undefined) return 0;
  if (handled) return 2;
  const signal = ctx.options.signal;
  const cancelled =
    signal?.aborted === true &&
    signal.reason === failure &&
    !(failure instanceof Error && failure.name === 'TimeoutError');
  return cancelled ? 3 : 1;
}
