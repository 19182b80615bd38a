import {
  ConfigError,
  consoleLogger,
  InvalidRequestError,
  type Logger,
  type RequestContext,
  type ServiceInterceptor,
} from '@service-caller/core';
import { statusOf } from './status-of.js';

/** A token, or a function that returns the current one (rotating tokens, token caches). */
export type TokenSource = string | (() => string | Promise<string>);

/** Options of {@link AuthInterceptor}. */
export interface AuthInterceptorOptions {
  /** The token, or a function called before every request that returns it. */
  token: TokenSource;
  /** The header that carries the token. @default 'Authorization' */
  headerName?: string;
  /** Put before the token in the header value. @default 'Bearer ' */
  prefix?: string;
  /** Where the warning after a `401` goes. @default consoleLogger('warn') from @service-caller/core */
  logger?: Logger;
  /** Position in the chain. @default 0 */
  order?: number;
}

/** Where a call whose token came from a token function keeps the header value it was sent with. */
const SENT_BY_AUTH = 'AuthInterceptor.headerSent';
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * Adds `headerName: prefix + token` to every request.
 *
 * A header of the same name (any case) that the call sets itself is kept: the call's own value
 * wins, as a per-request header wins over a default in ky or Spring's RestTemplate. A token
 * function that throws or returns an empty value fails the call before anything is sent. After a
 * `401` to a request that carried this interceptor's credentials a warning is logged; the token never appears in it, nor in `toString()`, `util.inspect`
 * or `JSON.stringify`.
 *
 * @example
 * ```ts
 * new AuthInterceptor({ token: () => tokens.current() });
 * new AuthInterceptor({ token: key, headerName: 'X-Api-Key', prefix: '' });
 * ```
 */
export class AuthInterceptor implements ServiceInterceptor {
  readonly name = 'AuthInterceptor';
  readonly order: number;
  /** The header the token goes in. */
  readonly headerName: string;
  /** What goes before the token. */
  readonly prefix: string;
  readonly #token: TokenSource;
  /**
   * The header value of a string token, `prefix + token` made once: built per call it would be
   * a new string to allocate and, in undici, to flatten. `undefined` for a token function.
   */
  readonly #value: string | undefined;
  readonly #headerLower: string;
  readonly #logger: Logger;

  constructor(options: AuthInterceptorOptions) {
    const token = (options as Partial<AuthInterceptorOptions> | undefined)?.token;
    if (!(typeof token === 'function' || (typeof token === 'string' && token.length > 0))) {
      throw new ConfigError({
        file: '<AuthInterceptor options>',
        keyPath: 'token',
        expected: 'a non-empty string or a function returning one',
        found: token === '' ? 'an empty string' : typeOf(token),
      });
    }
    const headerName = options.headerName ?? 'Authorization';
    if (typeof headerName !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(headerName)) {
      throw new ConfigError({
        file: '<AuthInterceptor options>',
        keyPath: 'headerName',
        expected: 'an HTTP header name',
        found: typeof headerName === 'string' ? JSON.stringify(headerName) : typeOf(headerName),
      });
    }
    const prefix = options.prefix ?? 'Bearer ';
    if (typeof prefix !== 'string') {
      throw new ConfigError({
        file: '<AuthInterceptor options>',
        keyPath: 'prefix',
        expected: 'a string',
        found: typeOf(prefix),
      });
    }
    this.#token = token;
    this.#value = typeof token === 'string' ? prefix + token : undefined;
    this.headerName = headerName;
    this.#headerLower = headerName.toLowerCase();
    this.prefix = prefix;
    this.order = options.order ?? 0;
    this.#logger = options.logger ?? consoleLogger('warn');
  }

  /**
   * Sets the header. With a string token it finishes synchronously and returns nothing, so the
   * engine's chain goes on without a microtask; a failure is still a rejected promise, as from a
   * token function.
   */
  beforeRequest(ctx: RequestContext): Promise<void> | undefined {
    const value = this.#value;
    if (value === undefined)
      return this.#withTokenFunction(ctx, this.#token as () => string | Promise<string>);
    try {
      const headers = ctx.options.headers;
      if (headers === undefined || !this.#hasOwnHeader(headers)) this.#setHeader(ctx, headers, value);
      return undefined;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async #withTokenFunction(ctx: RequestContext, source: () => string | Promise<string>): Promise<void> {
    const headers = ctx.options.headers;
    if (headers !== undefined && this.#hasOwnHeader(headers)) return;
    const token = await source();
    if (typeof token !== 'string' || token.length === 0) {
      throw new InvalidRequestError(
        `AuthInterceptor: the token function returned ${typeof token === 'string' ? 'an empty string' : typeOf(token)} for ${ctx.method} ${ctx.serviceName}${ctx.path}; expected a non-empty string`,
      );
    }
    const value = this.prefix + token;
    this.#setHeader(ctx, headers, value);
    ctx.attributes[SENT_BY_AUTH] = value;
  }

  /** Adds the header to `headers`, the call's own (none of the same name); `value` is non-empty. */
  #setHeader(ctx: RequestContext, headers: Record<string, string> | undefined, value: string): void {
    // A new options object: the caller may reuse theirs for the next call.
    const own: Record<string, string> = { ...headers };
    own[this.headerName] = value;
    ctx.options = { ...ctx.options, headers: own };
  }

  /**
   * Whether the call went out with this interceptor's credentials: its header carries the value
   * this interceptor set. A string token's value is fixed, so a call needs no marker of its own
   * (read only after a 401).
   */
  #sentOurs(ctx: RequestContext): boolean {
    const sent = ctx.options.headers?.[this.headerName];
    return sent !== undefined && sent === (this.#value ?? ctx.attributes[SENT_BY_AUTH]);
  }

  afterResponse(ctx: RequestContext): void {
    const status = ctx.response?.status ?? statusOf(ctx.error);
    if (status !== 401 || !this.#sentOurs(ctx)) return;
    this.#logger.warn(
      `AuthInterceptor: ${ctx.method} ${ctx.serviceName} answered 401; the credentials in header '${this.headerName}' were rejected`,
      { serviceName: ctx.serviceName, headerName: this.headerName, status },
    );
  }

  #hasOwnHeader(headers: Record<string, string>): boolean {
    // for...in rather than Object.keys: no array per call; inherited keys are not the call's.
    for (const key in headers) {
      if (!Object.hasOwn(headers, key)) continue;
      if (key.length === this.#headerLower.length && key.toLowerCase() === this.#headerLower) return true;
    }
    return false;
  }

  /** Safe to print: the token is shown as `***`. */
  toString(): string {
    return `AuthInterceptor(headerName=${this.headerName}, token=***)`;
  }

  /** Safe to serialise: the token is shown as `***`. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      order: this.order,
      headerName: this.headerName,
      prefix: this.prefix,
      token: '***',
    };
  }

  [INSPECT](): string {
    return this.toString();
  }
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'undefined' ? 'nothing' : `a ${typeof value}`;
}
