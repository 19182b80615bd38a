import {
  ConfigError,
  consoleLogger,
  type Logger,
  type RequestContext,
  type ServiceInterceptor,
} from '@service-caller/core';
import { isLevelEnabled, type LogLevel } from './log-level.js';
import { Redactor } from './redaction.js';
import { statusOf } from './status-of.js';

/** Options of {@link LoggingInterceptor}. */
export interface LoggingInterceptorOptions {
  /** Where the lines go. @default consoleLogger('info') from @service-caller/core */
  logger?: Logger;
  /** Write a `→` line before each request. @default true */
  logRequest?: boolean;
  /** Write a `←` line after each response and a `✗` line after each failure. @default true */
  logResponse?: boolean;
  /** Level of the `→` and `←` lines. @default 'info' */
  level?: 'debug' | 'info' | 'warn' | 'error';
  /** Level of the `✗` lines. @default 'warn' */
  errorLevel?: 'debug' | 'info' | 'warn' | 'error';
  /**
   * More header or query keys whose values are shown as `***`, matched like the built-in ones
   * (case-insensitive substring, `-`, `_`, `.` and spaces ignored). Added to the built-in list, never replacing it.
   * @default []
   */
  redact?: readonly string[];
  /** Position in the chain; the default runs it last before the request, so it logs what is sent. @default 99999 */
  order?: number;
}

/**
 * Logs one line per request, response and failure:
 *
 * ```text
 * → GET other-app/hello | headers {"accept":"application/json","authorization":"***"} | query {"q":"x"}
 * ← GET other-app/hello | http://127.0.0.1:8081/hello | 200 | 3.1 ms
 * ✗ GET other-app/hello | http://127.0.0.1:8081/hello | 503 | HttpStatusError: ... | 3.1 ms
 * ```
 *
 * Secret values are shown as `***`: any header or query key that core's `isSecretName` flags
 * (containing pass, pwd, token, secret, api-key, access-key, private-key, credential, session,
 * cookie, auth or signature, in any case style: the `Authorization` and `Set-Cookie` headers
 * too), also inside URLs and error messages. Bodies are never logged. Whether the logger writes the level is checked before
 * anything is built, so disabled or filtered lines cost a property read.
 *
 * @example
 * ```ts
 * const manager = await ServiceManager.create({ interceptors: [new LoggingInterceptor({ redact: ['x-tenant'] })] });
 * ```
 */
export class LoggingInterceptor implements ServiceInterceptor {
  readonly name = 'LoggingInterceptor';
  readonly order: number;
  readonly #logger: Logger;
  readonly #logRequest: boolean;
  readonly #logResponse: boolean;
  readonly #level: LogLevel;
  readonly #errorLevel: LogLevel;
  readonly #redactor: Redactor;
  /** Calls whose failure `handleException` already logged; weak, and touched only on failure. */
  readonly #failureLogged = new WeakSet<RequestContext>();

  constructor(options: LoggingInterceptorOptions = {}) {
    validate(options);
    this.order = options.order ?? 99999;
    this.#logger = options.logger ?? consoleLogger('info');
    this.#logRequest = options.logRequest ?? true;
    this.#logResponse = options.logResponse ?? true;
    this.#level = options.level ?? 'info';
    this.#errorLevel = options.errorLevel ?? 'warn';
    this.#redactor = new Redactor(options.redact);
  }

  beforeRequest(ctx: RequestContext): void {
    if (!this.#logRequest || !isLevelEnabled(this.#logger, this.#level)) return;
    let line = `→ ${this.#call(ctx)}`;
    const { headers, query } = ctx.options;
    if (headers !== undefined && Object.keys(headers).length > 0) {
      line += ` | headers ${JSON.stringify(this.#redactor.headers(headers))}`;
    }
    if (query !== undefined) {
      const shown = this.#redactor.query(query);
      if (Object.keys(shown).length > 0) line += ` | query ${JSON.stringify(shown)}`;
    }
    this.#write(this.#level, line);
  }

  handleException(ctx: RequestContext): void {
    if (!this.#logResponse || ctx.error === undefined) return;
    // Logged here rather than in afterResponse: a later fallback may clear the error.
    this.#failureLogged.add(ctx);
    if (!isLevelEnabled(this.#logger, this.#errorLevel)) return;
    this.#write(this.#errorLevel, this.#failureLine(ctx));
  }

  afterResponse(ctx: RequestContext): void {
    if (!this.#logResponse || this.#failureLogged.has(ctx)) return;
    if (ctx.error !== undefined) {
      if (isLevelEnabled(this.#logger, this.#errorLevel))
        this.#write(this.#errorLevel, this.#failureLine(ctx));
      return;
    }
    if (!isLevelEnabled(this.#logger, this.#level)) return;
    const status = ctx.response === undefined ? '-' : String(ctx.response.status);
    this.#write(this.#level, `← ${this.#call(ctx)} | ${this.#url(ctx)} | ${status} | ${this.#duration(ctx)}`);
  }

  #failureLine(ctx: RequestContext): string {
    const error = ctx.error;
    const status = statusOf(error) ?? ctx.response?.status;
    const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return `✗ ${this.#call(ctx)} | ${this.#url(ctx)}${status === undefined ? '' : ` | ${status}`} | ${this.#redactor.text(what)} | ${this.#duration(ctx)}`;
  }

  #call(ctx: RequestContext): string {
    return `${ctx.method} ${ctx.serviceName}${this.#redactor.text(ctx.path)}`;
  }

  #url(ctx: RequestContext): string {
    return ctx.resolvedUrl === undefined ? '-' : this.#redactor.text(ctx.resolvedUrl);
  }

  #duration(ctx: RequestContext): string {
    const ms = ctx.duration ?? performance.now() - ctx.startTime;
    return `${ms.toFixed(1)} ms`;
  }

  #write(level: LogLevel, line: string): void {
    this.#logger[level](line);
  }
}

const LEVELS: ReadonlySet<unknown> = new Set(['debug', 'info', 'warn', 'error']);

/** Refuses options that would only fail later, inside a hook, where the chain just logs the throw. */
function validate(options: LoggingInterceptorOptions): void {
  const bad = (keyPath: string, expected: string, found: string): never => {
    throw new ConfigError({ file: '<LoggingInterceptor options>', keyPath, expected, found });
  };
  if (typeof options !== 'object' || options === null) bad('', 'an options object', String(options));
  const { logger, level, errorLevel, redact, order, logRequest, logResponse } = options;
  if (logger !== undefined) {
    for (const method of ['debug', 'info', 'warn', 'error'] as const) {
      if (typeof (logger as Partial<Logger>)[method] !== 'function') {
        bad(`logger.${method}`, 'a function', typeof (logger as Partial<Logger>)[method]);
      }
    }
  }
  if (level !== undefined && !LEVELS.has(level))
    bad('level', 'one of debug, info, warn, error', String(level));
  if (errorLevel !== undefined && !LEVELS.has(errorLevel)) {
    bad('errorLevel', 'one of debug, info, warn, error', String(errorLevel));
  }
  if (redact !== undefined && !(Array.isArray(redact) && redact.every((k) => typeof k === 'string'))) {
    bad(
      'redact',
      'an array of header or query key fragments',
      Array.isArray(redact) ? 'other items' : typeof redact,
    );
  }
  if (order !== undefined && !(typeof order === 'number' && Number.isFinite(order))) {
    bad('order', 'a finite number', String(order));
  }
  if (logRequest !== undefined && typeof logRequest !== 'boolean')
    bad('logRequest', 'a boolean', typeof logRequest);
  if (logResponse !== undefined && typeof logResponse !== 'boolean') {
    bad('logResponse', 'a boolean', typeof logResponse);
  }
}
