import { type HttpStatusError, isServiceCallerError, type TimeoutError } from '../errors/index.js';

/**
 * What kind of failure an attempt's error is, which decides whether it is retried
 * (`retry-policy.ts`) and whether it counts against the instance (outlier ejection):
 *
 * - `connect-failure`, `reset`, `timeout`: see `RetryFailure`;
 * - `status`: a 5xx answer (a 4xx is the caller's doing and no failure of the instance);
 * - `cancelled`: the engine gave the attempt up (a hedge that lost): not the instance's fault;
 * - `other`: anything else (a body that does not parse, the caller's own abort, a failure
 *   before anything was sent): neither retried nor held against the instance.
 */
export type FailureKind = 'connect-failure' | 'reset' | 'timeout' | 'status' | 'cancelled' | 'other';

/** The `code` of an attempt the engine gave up, so that no one counts it as the instance's failure. */
export const CANCELLED_CODE = 'SC_ERR_ATTEMPT_CANCELLED';

/*
 * Socket and undici codes meaning "no connection was made", so the request never left: the
 * system calls' (refused, unreachable, no such name) and undici's connect timeout.
 */
const NOT_CONNECTED: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'UND_ERR_CONNECT_TIMEOUT',
  'ConnectionRefused',
]);

/** The first `code` in the cause chain below a transport's `ConnectionError`; bounded, chains can loop. */
function causeCode(error: unknown): string | undefined {
  let current = (error as { cause?: unknown }).cause;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code.length !== 0) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Classifies an attempt's error (see {@link FailureKind}); `undefined` (no error) is not asked about. */
export function failureKind(error: unknown): FailureKind {
  if (!isServiceCallerError(error)) return 'other';
  switch (error.code) {
    case 'SC_ERR_HTTP_STATUS':
      return (error as HttpStatusError).status >= 500 ? 'status' : 'other';
    case 'SC_ERR_TIMEOUT':
      return (error as TimeoutError).phase === 'connect' ? 'connect-failure' : 'timeout';
    case 'SC_ERR_CONNECTION': {
      const code = causeCode(error);
      return code !== undefined && NOT_CONNECTED.has(code) ? 'connect-failure' : 'reset';
    }
    case CANCELLED_CODE:
      return 'cancelled';
    default:
      return 'other';
  }
}

/** Whether an outcome of this kind counts against the instance (and towards its ejection). */
export function countsAgainstInstance(kind: FailureKind): boolean {
  return kind === 'connect-failure' || kind === 'reset' || kind === 'timeout' || kind === 'status';
}
