import type { RequestContext } from '@service-caller/core';

/**
 * How a call or one of its attempts ended, as the HTTP semantic conventions classify it:
 * - `ok`: no error; the span status stays unset.
 * - `cancelled`: the caller's own `signal` aborted the call (not with a timeout): no error either
 *   (the conventions: a cancellation by the caller is not an error).
 * - `error`: anything else that failed, and any response status of 400 or more (on a CLIENT span
 *   a 4xx is an error too, even when the call does not throw for it).
 */
export type CallOutcomeKind = 'ok' | 'cancelled' | 'error';

/** The outcome of a call or an attempt and, for an error, its low-cardinality `error.type`. */
export interface CallOutcome {
  readonly kind: CallOutcomeKind;
  /** `error.type`: the status as a string (`'503'`), else the error's class name (`TimeoutError`), else `_OTHER`. */
  readonly errorType: string | undefined;
  /** The error the call failed with, when it did. */
  readonly error: unknown;
}

const OK: CallOutcome = Object.freeze({ kind: 'ok', errorType: undefined, error: undefined });

/**
 * Classifies a finished call or attempt from its response status (`undefined` when none came)
 * and its failure: for a call `ctx.error`, or the one seen in `handleException` before a fallback
 * interceptor cleared it; for an attempt `attempt.error`. `ctx` says whether the caller's own
 * signal aborted it.
 */
export function callOutcome(ctx: RequestContext, status: number | undefined, error: unknown): CallOutcome {
  if (error === undefined) {
    return status !== undefined && status >= 400
      ? { kind: 'error', errorType: String(status), error: undefined }
      : OK;
  }
  if (isCancellation(ctx, error)) return { kind: 'cancelled', errorType: undefined, error };
  if (status !== undefined && status >= 400) return { kind: 'error', errorType: String(status), error };
  return { kind: 'error', errorType: errorTypeOf(error), error };
}

/**
 * The caller aborted through its own signal, with a reason other than a timeout
 * (`AbortSignal.timeout()` aborts with a `TimeoutError`: a deadline, which is a failure).
 */
function isCancellation(ctx: RequestContext, error: unknown): boolean {
  const signal = ctx.options.signal;
  if (signal === undefined || !signal.aborted || signal.reason !== error) return false;
  return !(error instanceof Error && error.name === 'TimeoutError');
}

function errorTypeOf(error: unknown): string {
  if (error instanceof Error && error.name !== '') return error.name;
  return '_OTHER';
}
