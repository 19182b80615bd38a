import type { TransportRequest } from '@service-caller/core';
import {
  ClosedError,
  ConnectionError,
  InvalidRequestError,
  isServiceCallerError,
  TimeoutError,
} from '@service-caller/core';
import { errors } from 'undici';

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

/** The `code` of the error or of the first error in its cause chain that has one. */
function codeOf(error: unknown): string | undefined {
  let current = error;
  // Bounded: a cause chain can be circular.
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Turns what undici (or the socket below it) threw into the core's typed errors. An abort is
 * answered with the signal's own reason, whatever undici reported; errors without a `code` (a
 * request body stream that failed, say) pass through unchanged.
 */
export function toTransportError(
  error: unknown,
  request: TransportRequest,
  connectTimeout: number,
  readTimeout: number,
): unknown {
  const signal = request.signal;
  if (signal?.aborted) return signal.reason;
  if (isServiceCallerError(error)) return error;
  // undici's parser errors carry no code (it looks the llhttp error number up in a table keyed by
  // name, so `code` comes out undefined) and keep the server's bytes in `.data`: the message is
  // llhttp's fixed reason ("Invalid status code"), the bytes stay in the cause.
  if (error instanceof errors.HTTPParserError) {
    return new ConnectionError(
      `[undici] ${describeTarget(request)} failed: the server's answer is not valid HTTP/1.1 (${parserReason(error)})`,
      { cause: error },
    );
  }
  const code = codeOf(error);
  if (code === undefined) return error;
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new TimeoutError('connect', connectTimeout, describeTarget(request), { cause: error });
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return new TimeoutError('read', readTimeout, describeTarget(request), { cause: error });
    case 'UND_ERR_INVALID_ARG':
    case 'UND_ERR_NOT_SUPPORTED':
    case 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH':
      return new InvalidRequestError(`[undici] ${describeTarget(request)}: ${messageOf(error)}`, {
        cause: error,
      });
    case 'UND_ERR_CLOSED':
    case 'UND_ERR_DESTROYED':
      // Only an injected dispatcher closed by its owner gets here: ours is closed after the last request.
      return new ClosedError(`[undici] the dispatcher used for ${describeTarget(request)}`);
    case 'UND_ERR_SOCKET':
      if (messageOf(error) === 'bad response') {
        // undici's HTTP/1.1 client destroys the connection on an interim 100 it did not ask for
        // (it never sends `Expect: 100-continue`), and on an answer that came with no request.
        // The transport's own connections strip a 100 at a response's start (interim-continue.ts),
        // so a 100 gets here only with pipelining > 1, through an injected dispatcher, or where
        // it is not at a response's start.
        return new ConnectionError(
          `[undici] ${describeTarget(request)} failed: the server sent a response undici does not accept (an unrequested 100 Continue the transport could not strip, or an answer to no request); the connection was closed (${code})`,
          { cause: error },
        );
      }
      return connectionError(error, request, code);
    default:
      return connectionError(error, request, code);
  }
}

function connectionError(error: unknown, request: TransportRequest, code: string): ConnectionError {
  return new ConnectionError(`[undici] ${describeTarget(request)} failed: ${messageOf(error)} (${code})`, {
    cause: error,
  });
}

/**
 * llhttp's reason from a parser error's message ("Response does not match the HTTP/1.1 protocol
 * (Invalid status code)" -> "Invalid status code"), kept to its fixed vocabulary: letters,
 * digits, spaces and a few marks, at most 80 characters, so no server byte can come through.
 */
function parserReason(error: Error): string {
  const match = /\(([^()]*)\)\s*$/.exec(error.message);
  const reason = (match?.[1] ?? '')
    .replace(/[^\w ,./:-]/g, '')
    .slice(0, 80)
    .trim();
  return reason || 'unparsable response';
}
