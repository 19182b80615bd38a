import { type AttemptSummary, isServiceCallerError } from '../errors/index.js';
import type { AttemptRecord } from './attempt-record.js';
import type { CallContext } from './context.js';
import { failureKind } from './failure-kind.js';

function errorName(error: unknown): string | undefined {
  if (error === undefined) return undefined;
  if (isServiceCallerError(error)) return error.code;
  return error instanceof Error ? error.name : typeof error;
}

function summary(record: AttemptRecord): AttemptSummary {
  return Object.freeze({
    number: record.number,
    instance: record.instance.id,
    kind: record.kind,
    status: record.status,
    error: errorName(record.error),
  });
}

/** One attempt as the message lists it: `#2 10.0.0.2:8080 503`, `#1 10.0.0.1:8080 connect-failure`. */
function line(record: AttemptRecord): string {
  const what =
    record.status !== undefined
      ? String(record.status)
      : record.error === undefined
        ? record.ended
          ? 'ok'
          : 'running'
        : failureKind(record.error);
  return `#${record.number}${record.kind === 'hedge' ? ' (hedge)' : ''} ${record.instance.id} ${what}`;
}

/**
 * The error a failed call rejects with, saying how it got there: when the call made more than
 * one attempt, or was not retried for a reason worth knowing (a stream body, a spent budget, a
 * method not retried, no time left), the error lists its attempts in `attempts` and at the end
 * of its message. Only the engine's own errors are annotated, once; anything else (the caller's
 * abort reason) is passed on untouched, and `ctx.attempts` still tells.
 */
export function failedCall(ctx: CallContext, failure: unknown): unknown {
  if (!isServiceCallerError(failure) || failure.attempts !== undefined) return failure;
  const note = ctx.retryNote;
  if (ctx.attempt <= 1 && note === undefined) return failure;
  const records = ctx.records();
  let suffix = records.length > 1 ? `; ${records.length} attempts: ${records.map(line).join(', ')}` : '';
  if (note !== undefined) suffix += `; not retried: ${note}`;
  failure.attempts = Object.freeze(records.map(summary));
  const before = failure.message;
  failure.message = before + suffix;
  // The stack's first line was written with the old message.
  const stack = failure.stack;
  if (stack?.includes(before)) failure.stack = stack.replace(before, failure.message);
  return failure;
}
