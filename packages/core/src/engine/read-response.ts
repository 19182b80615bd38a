import type { Logger } from '../contracts/logger.js';
import type { RawResponse } from '../contracts/transport.js';
import { HttpStatusError } from '../errors/index.js';
import type { CallContext } from './context.js';
import { jsonBodyType, parseJsonText, readBody } from './parse-body.js';

/**
 * Reads a parsed call's response into `ctx.result`. A non-2xx status throws `HttpStatusError`
 * unless the call set `throwHttpErrors: false`; returns the instance's failure to report to the
 * balancer (a 5xx the call does not throw for), or `undefined`.
 */
export async function readResult(ctx: CallContext, response: RawResponse): Promise<unknown> {
  const status = response.status;
  const ok = status >= 200 && status < 300;
  // The common JSON body is read here, without readBody's own async step.
  const jsonType = jsonBodyType(response, ctx.method);
  const body =
    jsonType === undefined
      ? await readBody(response, ctx.method, !ok)
      : parseJsonText(await response.text(), response, jsonType, !ok);
  let failure: unknown;
  if (!ok) {
    const error = statusError(ctx, response, body);
    if (ctx.throwHttpErrors) throw error;
    if (status >= 500) failure = error;
  }
  ctx.result = body;
  return failure;
}

/** The `HttpStatusError` for `response`, with its parsed body. */
export function statusError(ctx: CallContext, response: RawResponse, body: unknown): HttpStatusError {
  return new HttpStatusError({
    status: response.status,
    statusText: response.statusText,
    body,
    serviceName: ctx.serviceName,
    method: ctx.method,
    url: ctx.resolvedUrl!,
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
