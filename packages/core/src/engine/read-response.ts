import type { Logger } from '../contracts/logger.js';
import type { BufferedResponse, RawResponse } from '../contracts/transport.js';
import { HttpStatusError } from '../errors/index.js';
import type { CallContext } from './context.js';
import {
  BodyKind,
  bodyKind,
  bodyKindOfType,
  parseBufferedBody,
  parseJsonText,
  readBody,
} from './parse-body.js';

/**
 * Reads a parsed call's response into `ctx.result`. A non-2xx status throws `HttpStatusError`
 * unless the call set `throwHttpErrors: false`; returns the instance's failure to report (a 5xx
 * the call does not throw for), or `undefined`.
 */
export async function readResult(ctx: CallContext, response: RawResponse): Promise<unknown> {
  const lenient = !isOk(response.status);
  const kind = bodyKind(response, ctx.method);
  // The common JSON body is read here, without readBody's own async step.
  const body =
    kind === BodyKind.Json
      ? parseJsonText(await response.text(), response, lenient)
      : await readBody(response, kind, lenient);
  return settleStatus(ctx, response, body);
}

/** `readResult` for a response the transport has read whole: synchronous. */
export function readBufferedResult(ctx: CallContext, response: BufferedResponse): unknown {
  // Only the content type is needed: HEAD, 204 and 304 bodies are empty, and empty parses to
  // undefined. `header()` reads it without building the whole header object.
  const kind = bodyKindOfType(response.header('content-type'));
  const body = parseBufferedBody(response, kind, !isOk(response.status));
  return settleStatus(ctx, response, body);
}

function isOk(status: number): boolean {
  return status >= 200 && status < 300;
}

function settleStatus(ctx: CallContext, response: RawResponse, body: unknown): unknown {
  const status = response.status;
  let failure: unknown;
  if (!isOk(status)) {
    const error = statusError(ctx, response, body, ctx.resolvedUrl!);
    if (ctx.throwHttpErrors) throw error;
    if (status >= 500) failure = error;
  }
  ctx.result = body;
  return failure;
}

/** The `HttpStatusError` for `response` to the attempt that went to `url`, with its parsed body. */
export function statusError(
  ctx: CallContext,
  response: RawResponse,
  body: unknown,
  url: string,
): HttpStatusError {
  return new HttpStatusError({
    status: response.status,
    statusText: response.statusText,
    body,
    serviceName: ctx.serviceName,
    method: ctx.method,
    url,
  });
}

/** Disposes a response nobody will read, logging (not throwing) a failure to do so. */
export async function disposeQuietly(response: RawResponse, logger: Logger): Promise<void> {
  try {
    await response.dispose();
  } catch (error) {
    logger.debug('disposing an unused response failed', { error });
  }
}
