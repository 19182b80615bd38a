import type { TransportRequest } from '@service-caller/core';
import {
  ConnectionError,
  InvalidRequestError,
  isServiceCallerError,
  TimeoutError,
} from '@service-caller/core';

/** Node's fetch gives up connecting after 10 s on its own (undici's default). */
const NODE_FETCH_CONNECT_TIMEOUT = 10_000;
/** Node's fetch waits 300 s for headers and between body chunks on its own (undici's defaults). */
const NODE_FETCH_READ_TIMEOUT = 300_000;

/** The longest path an error quotes; the rest is counted, not shown. */
const MAX_QUOTED_PATH = 256;

/**
 * `GET http://host:port/path`, the request as errors name it. The query string is left out: it
 * may carry tokens, and errors never show secrets. A path longer than 256 characters is cut
 * there (`...(+N characters)`), so a huge path does not make a huge error message.
 */
export function describeTarget(request: TransportRequest): string {
  const path = request.path;
  const query = path.indexOf('?');
  const bare = query === -1 ? path : path.slice(0, query);
  const shown =
    bare.length > MAX_QUOTED_PATH
      ? `${bare.slice(0, MAX_QUOTED_PATH)}...(+${bare.length - MAX_QUOTED_PATH} characters)`
      : bare;
  return `${request.method} ${request.origin}${shown}`;
}

/** Any URL's query string, as it appears in a runtime's own message (Deno quotes the whole URL). */
const URL_QUERY = /(\bhttps?:\/\/[^\s?#)]*)\?[^\s#)]*/g;

/** `text` with the query of every URL in it left out: queries may carry tokens. */
function withoutQueries(text: string): string {
  return text.replace(URL_QUERY, '$1');
}

/** The innermost error of the cause chain with a `code` (Node puts the socket's error in `cause`). */
function rootCause(error: unknown): { code: string | undefined; message: string } {
  let current = error;
  let found: { code: string | undefined; message: string } = {
    code: undefined,
    message: error instanceof Error ? error.message : String(error),
  };
  // Bounded: a cause chain can be circular.
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    const message = (current as { message?: unknown }).message;
    if (typeof code === 'string' && code) {
      found = { code, message: typeof message === 'string' ? message : found.message };
    } else if (depth > 0 && typeof message === 'string' && message && found.code === undefined) {
      found = { code: undefined, message };
    }
    current = (current as { cause?: unknown }).cause;
  }
  return found;
}

/**
 * Whether `fetch` refused the request itself (a bad header name, a body on GET) rather than
 * failing to get it across: such errors are a `TypeError` with no cause that says so.
 */
function isRefusedRequest(error: unknown): error is TypeError {
  return (
    error instanceof TypeError &&
    error.cause === undefined &&
    /\binvalid\b|cannot have (a )?body|not a valid/i.test(error.message)
  );
}

/**
 * Turns what `fetch` (or a body read) rejected with into the core's typed errors. Aborts never
 * get here: the caller answers them with the signal's reason first.
 */
export function toTransportError(
  error: unknown,
  request: TransportRequest,
  connectTimeout?: number,
): unknown {
  if (isServiceCallerError(error)) return error;
  if (isRefusedRequest(error)) {
    return new InvalidRequestError(`[fetch] ${describeTarget(request)}: ${error.message}`, { cause: error });
  }
  if (!(error instanceof Error)) return error;
  const { code, message } = rootCause(error);
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new TimeoutError(
      'connect',
      connectTimeout ?? NODE_FETCH_CONNECT_TIMEOUT,
      describeTarget(request),
      {
        cause: error,
      },
    );
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new TimeoutError('read', NODE_FETCH_READ_TIMEOUT, describeTarget(request), { cause: error });
  }
  return new ConnectionError(
    `[fetch] ${describeTarget(request)} failed: ${withoutQueries(message)}${code ? ` (${code})` : ''}`,
    {
      cause: error,
    },
  );
}
