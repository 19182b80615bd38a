import type { OutgoingHeaders } from '../contracts/transport.js';
import { hasHeader } from '../http/headers.js';
import { describeValue } from '../options/describe-value.js';
import type { CallContext } from './context.js';
import type { NormalizedEngineOptions } from './engine-options.js';
import { mayHedge } from './hedge.js';
import { appendQuery } from './query.js';
import { callRetryPolicy } from './retry-policy.js';
import { invalidRequest } from './validate.js';

const NO_HEADERS: OutgoingHeaders = Object.freeze({});

/**
 * Builds what every attempt of the call sends, once per call after `beforeRequest`: the target
 * (path plus query), the headers, the body (JSON serialized here), the protocol override and
 * whether a status throws; and how the call's attempts go: its retry policy, per-try timeout and
 * hedge delay (the call's own options over the engine's). Attempts reuse it; only the instance
 * changes between them. Throws `InvalidRequestError` for what cannot be sent.
 */
export function prepareRequest(ctx: CallContext, target: string, engine: NormalizedEngineOptions): void {
  const options = ctx.options;
  const { method, serviceName } = ctx;
  const override = ctx.protocol !== ctx.initialProtocol ? ctx.protocol : options.protocol;
  if (override !== undefined && override !== 'http' && override !== 'https') {
    throw invalidRequest(
      method,
      serviceName,
      `an interceptor set ctx.protocol to ${describeValue(override, 'call')}; expected 'http' or 'https'`,
    );
  }
  ctx.protocolOverride = override;
  ctx.requestTarget = appendQuery(target, options.query);
  let headers: OutgoingHeaders = options.headers ?? NO_HEADERS;
  if (options.json !== undefined) {
    let text: string | undefined;
    try {
      text = JSON.stringify(options.json);
    } catch (error) {
      throw invalidRequest(
        method,
        serviceName,
        `options.json cannot be serialized as JSON (${(error as Error).message})`,
        { cause: error },
      );
    }
    // JSON.stringify answers undefined rather than throwing for these: sending no body under a
    // JSON content type would silently drop what the caller meant to send.
    if (text === undefined) {
      throw invalidRequest(
        method,
        serviceName,
        'options.json cannot be serialized as JSON (it serializes to nothing: a function, a symbol, or a toJSON() that returns undefined)',
      );
    }
    ctx.requestBody = text;
    if (!hasHeader(headers, 'content-type')) headers = { ...headers, 'content-type': 'application/json' };
  } else {
    ctx.requestBody = options.body;
  }
  ctx.requestHeaders = headers;
  ctx.throwHttpErrors = options.throwHttpErrors ?? engine.throwHttpErrors;
  const retry = options.retry;
  ctx.retryPolicy =
    retry === undefined
      ? engine.retry
      : callRetryPolicy(retry, engine.retry, (keyPath, expected, found) => {
          throw invalidRequest(
            method,
            serviceName,
            `options.retry${keyPath === '' ? '' : `.${keyPath}`} must be ${expected}, found ${found}`,
          );
        });
  ctx.perTryTimeout = options.perTryTimeout ?? engine.perTryTimeout;
  const hedgeDelay = options.hedgeDelay === false ? undefined : (options.hedgeDelay ?? engine.hedgeDelay);
  ctx.hedgeDelay = hedgeDelay !== undefined && mayHedge(ctx) ? hedgeDelay : undefined;
}
