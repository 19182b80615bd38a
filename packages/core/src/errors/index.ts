/**
 * The typed errors. Callers branch on classes (`instanceof`) or, across duplicated module copies,
 * on the stable `code` via the `isXxxError` guards. Messages never contain secrets.
 */

import { urlForMessage, withoutQuery } from '../http/url.js';
import { shorten } from '../options/describe-value.js';

const BRAND = Symbol.for('service-caller.error');

/** One attempt of a failed call, as the call's error lists it (see `ServiceCallerError.attempts`). */
export interface AttemptSummary {
  /** 1-based number of the attempt within its call. */
  readonly number: number;
  /** The instance's id (`host:port` unless the registry has its own ids). */
  readonly instance: string;
  /** Why the attempt was made: the `first`, a `retry`, or a `hedge`. */
  readonly kind: 'first' | 'retry' | 'hedge';
  /** The status, when a response arrived. */
  readonly status: number | undefined;
  /** The `code` (or the name) of the attempt's error, `undefined` when it did not fail. */
  readonly error: string | undefined;
}

/** The base of every error service-caller throws. */
export class ServiceCallerError extends Error {
  /** Stable, machine-readable code, e.g. `SC_ERR_TIMEOUT`. */
  readonly code: string;
  readonly [BRAND] = true;
  /**
   * The attempts of the call this error failed, when the engine tried more than once or chose
   * not to retry for a reason worth knowing (the message then ends with them: `; 3 attempts:
   * #1 10.0.0.1:8080 SC_ERR_CONNECTION, ...` and `; not retried: ...`). `undefined` otherwise.
   */
  attempts: readonly AttemptSummary[] | undefined = undefined;

  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code ?? 'SC_ERR';
  }
}

/** A configuration file or value is wrong. */
export class ConfigError extends ServiceCallerError {
  /** The file the value came from, or `<config object>` when given in code. */
  readonly file: string;
  /** Dotted key path as written in YAML, e.g. `service-caller.lb-type`. */
  readonly keyPath: string;
  /** What was expected, e.g. `one of round_robin, random, weight_random, weight_round_robin`. */
  readonly expected: string;
  /** What was found, with secrets shown as `***`. */
  readonly found: string;

  constructor(
    fields: { file: string; keyPath: string; expected: string; found: string; hint?: string },
    options: { cause?: unknown } = {},
  ) {
    const where = fields.keyPath ? `${fields.file}: ${fields.keyPath}` : fields.file;
    super(
      `${where}: expected ${fields.expected}, found ${fields.found}${fields.hint ? ` (${fields.hint})` : ''}`,
      { code: 'SC_ERR_CONFIG', cause: options.cause },
    );
    this.file = fields.file;
    this.keyPath = fields.keyPath;
    this.expected = fields.expected;
    this.found = fields.found;
  }
}

/** No healthy instance of the service could be found. */
export class ServiceUnavailableError extends ServiceCallerError {
  readonly serviceName: string;
  constructor(serviceName: string, detail = 'no healthy instance', options: { cause?: unknown } = {}) {
    super(`service '${serviceName}' is unavailable: ${detail}`, {
      code: 'SC_ERR_SERVICE_UNAVAILABLE',
      cause: options.cause,
    });
    this.serviceName = serviceName;
  }
}

/** The service answered with a non-2xx status. */
export class HttpStatusError extends ServiceCallerError {
  readonly status: number;
  readonly statusText: string;
  /** The response body, parsed like a successful result. */
  readonly body: unknown;
  readonly serviceName: string;
  readonly method: string;
  /**
   * The URL the request went to, without its query string: callers put tokens there, and an
   * error is logged and shown.
   */
  readonly url: string;
  constructor(fields: {
    status: number;
    statusText?: string;
    body: unknown;
    serviceName: string;
    method: string;
    /** The URL as sent; the query string is dropped here. */
    url: string;
  }) {
    const url = withoutQuery(fields.url);
    super(
      `${fields.method} ${urlForMessage(url)} (service '${shorten(fields.serviceName)}') failed with status ${fields.status}${
        fields.statusText ? ` ${fields.statusText}` : ''
      }`,
      { code: 'SC_ERR_HTTP_STATUS' },
    );
    this.status = fields.status;
    this.statusText = fields.statusText ?? '';
    this.body = fields.body;
    this.serviceName = fields.serviceName;
    this.method = fields.method;
    this.url = url;
  }
}

/**
 * Which part of a call ran out of time: `connect` (the connection), `read` (waiting for response
 * data), `attempt` (one attempt's `perTryTimeout`) or `total` (the call's `timeout`, over all its
 * attempts).
 */
export type TimeoutPhase = 'connect' | 'read' | 'attempt' | 'total';

/** A connect, read, per-attempt or total timeout elapsed. */
export class TimeoutError extends ServiceCallerError {
  readonly phase: TimeoutPhase;
  /** The limit that elapsed, in milliseconds. */
  readonly timeoutMs: number;
  constructor(phase: TimeoutPhase, timeoutMs: number, target: string, options: { cause?: unknown } = {}) {
    super(`${phase} timeout of ${timeoutMs} ms elapsed for ${target}`, {
      code: 'SC_ERR_TIMEOUT',
      cause: options.cause,
    });
    this.phase = phase;
    this.timeoutMs = timeoutMs;
  }
}

/** The connection could not be made or broke (refused, reset, TLS failure, DNS). */
export class ConnectionError extends ServiceCallerError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'SC_ERR_CONNECTION', cause: options.cause });
  }
}

/**
 * A response body is larger than the transport's size cap (`service-caller.max-response-size`,
 * the transports' `maxResponseSize`). The transport stops reading and closes the connection, so a
 * runaway or hostile upstream cannot fill the caller's memory.
 */
export class ResponseTooLargeError extends ServiceCallerError {
  /** The cap, in bytes. */
  readonly limit: number;
  /** The size the response announced (`content-length`), or `undefined` when it was found out while reading. */
  readonly contentLength: number | undefined;
  constructor(limit: number, target: string, contentLength?: number) {
    super(
      `the response to ${target} is larger than the size limit of ${limit} bytes (max-response-size): ${
        contentLength === undefined
          ? `more than ${limit} bytes arrived`
          : `content-length is ${contentLength}`
      }; the connection was closed`,
      { code: 'SC_ERR_RESPONSE_TOO_LARGE' },
    );
    this.limit = limit;
    this.contentLength = contentLength;
  }
}

/** The registry could not be reached or refused a request (bad credentials, bad namespace, ...). */
export class RegistryError extends ServiceCallerError {
  /** `nacos`, `consul`, `static`, ... */
  readonly registry: string;
  constructor(registry: string, message: string, options: { cause?: unknown } = {}) {
    super(`[${registry}] ${message}`, { code: 'SC_ERR_REGISTRY', cause: options.cause });
    this.registry = registry;
  }
}

/** The call itself is malformed: a bad path, a bad option, both `json` and `body`. */
export class InvalidRequestError extends ServiceCallerError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'SC_ERR_INVALID_REQUEST', cause: options.cause });
  }
}

/** The object was used after `close()`. */
export class ClosedError extends ServiceCallerError {
  constructor(what: string) {
    super(`${what} is closed`, { code: 'SC_ERR_CLOSED' });
  }
}

function hasCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

export const isServiceCallerError = (e: unknown): e is ServiceCallerError =>
  typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
export const isConfigError = (e: unknown): e is ConfigError => hasCode(e, 'SC_ERR_CONFIG');
export const isServiceUnavailableError = (e: unknown): e is ServiceUnavailableError =>
  hasCode(e, 'SC_ERR_SERVICE_UNAVAILABLE');
export const isHttpStatusError = (e: unknown): e is HttpStatusError => hasCode(e, 'SC_ERR_HTTP_STATUS');
export const isTimeoutError = (e: unknown): e is TimeoutError => hasCode(e, 'SC_ERR_TIMEOUT');
export const isConnectionError = (e: unknown): e is ConnectionError => hasCode(e, 'SC_ERR_CONNECTION');
export const isRegistryError = (e: unknown): e is RegistryError => hasCode(e, 'SC_ERR_REGISTRY');
export const isResponseTooLargeError = (e: unknown): e is ResponseTooLargeError =>
  hasCode(e, 'SC_ERR_RESPONSE_TOO_LARGE');
export const isInvalidRequestError = (e: unknown): e is InvalidRequestError =>
  hasCode(e, 'SC_ERR_INVALID_REQUEST');
