import { RegistryError } from '@service-caller/core';
import { Agent } from 'undici';
import { AccessToken, type LoginResult } from './access-token.js';
import type { NacosServer } from './options.js';

/** One request to Nacos. Parameters go in the query string; only a login sends a form body. */
export interface NacosRequest {
  /** What the request does, for errors: `register 'users' 10.0.0.7:8080`. */
  readonly op: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  /** A form body (the login's credentials: never in the URL). */
  readonly form?: Readonly<Record<string, string>>;
  /** Send the access token when credentials are configured. @default true */
  readonly auth?: boolean;
  readonly signal?: AbortSignal | undefined;
  /** More request headers (a config long poll's timeout, request signatures). */
  readonly headers?: Readonly<Record<string, string>>;
  /** This request's time limit, when it differs from the client's (a long poll). */
  readonly timeoutMs?: number;
}

/** A response, body read. */
export interface NacosResponse {
  readonly status: number;
  readonly body: string;
  /** The server that answered, for messages. */
  readonly server: NacosServer;
}

/** Nacos could not be reached at all (every server refused, reset or timed out). */
export class NacosUnreachableError extends RegistryError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('nacos', message, options);
  }
}

/**
 * The server refused this client: no credentials where it requires them, a wrong username or
 * password, or a user without access. Trying again does not help.
 */
export class NacosRefusedError extends RegistryError {
  constructor(message: string) {
    super('nacos', message);
  }
}

/** Where the login lives: Nacos 3 first, then the 1.x/2.x path. */
const LOGIN_PATHS = { v1: ['/nacos/v1/auth/login'], v3: ['/nacos/v3/auth/user/login'] } as const;
const AUTO_LOGIN_PATHS = ['/nacos/v3/auth/user/login', '/nacos/v1/auth/login'] as const;
const MAX_BODY_IN_MESSAGE = 200;
/** How long a server that could not be reached is passed over: 2 s, doubling per failure, at most 10 s. */
const FIRST_PASS_OVER_MS = 2000;
const MAX_PASS_OVER_MS = 10_000;

/**
 * The HTTP side of the built-in client: one undici agent, fail-over across the configured
 * servers, the access token in the `accessToken` header, and one retry with a fresh login when
 * the server refuses a token.
 *
 * Server list: each request starts at the next server in turn (as the official Java client
 * starts at a random one), so the load spreads over a cluster and a member that comes back is used
 * again. A server that cannot be reached is tried again at once on the next one, and passed over
 * for a while (2 s, doubling to 10 s while it stays away), so a dead member costs a request one
 * refused connection at most now and then, not a timeout each time.
 */
export class NacosHttp {
  readonly #servers: readonly NacosServer[];
  readonly #timeoutMs: number;
  readonly #agent: Agent;
  readonly #username: string | undefined;
  readonly #password: string | undefined;
  readonly #token: AccessToken | undefined;
  #loginPaths: readonly string[];
  /** Where the next request starts. */
  #next = 0;
  /** Per server: consecutive failures, and until when (`performance.now()`) it is passed over. */
  readonly #failures: number[];
  readonly #passOverUntil: number[];
  /** Per server: its last failure was a refused connection (no process listening on it). */
  readonly #refused: boolean[];
  readonly #serverBack: ((origin: string) => void)[] = [];
  /**
   * Counters for diagnostics and tests: successful logins, tokens the server refused, per
   * server origin the answers and the requests that could not reach it, and the longest time a
   * request spent on unreachable servers before another one answered it (the fail-over time).
   */
  readonly stats = {
    logins: 0,
    refusedTokens: 0,
    answers: {} as Record<string, number>,
    unreachable: {} as Record<string, number>,
    maxFailOverMs: 0,
  };

  constructor(options: {
    servers: readonly NacosServer[];
    timeoutMs: number;
    username: string | undefined;
    password: string | undefined;
    apiVersion: 'auto' | 'v1' | 'v3';
    now?: () => number;
  }) {
    this.#servers = options.servers;
    this.#failures = options.servers.map(() => 0);
    this.#passOverUntil = options.servers.map(() => 0);
    this.#refused = options.servers.map(() => false);
    this.#timeoutMs = options.timeoutMs;
    this.#agent = new Agent({ connections: 4, keepAliveTimeout: 30_000, connectTimeout: options.timeoutMs });
    this.#username = options.username;
    this.#password = options.password;
    this.#loginPaths = options.apiVersion === 'auto' ? AUTO_LOGIN_PATHS : LOGIN_PATHS[options.apiVersion];
    this.#token =
      options.username !== undefined && options.password !== undefined
        ? new AccessToken(() => this.#login(), options.now)
        : undefined;
  }

  /** Whether requests carry an access token. */
  get authenticates(): boolean {
    return this.#token !== undefined;
  }

  /** A valid access token (logging in when due); for the gRPC client's request headers. */
  accessToken(): Promise<string> {
    if (this.#token === undefined)
      return Promise.reject(new RegistryError('nacos', 'no credentials configured'));
    return this.#token.get();
  }

  /**
   * Hears of a member of a server list (two or more servers) that answers again after it refused
   * connections: a process that was not running, so a new one, which may not know every instance
   * yet (an r-nacos member answers before its peers gave it their data). The registry holds empty
   * lists for a while then, as after an outage.
   */
  onServerBack(listener: (origin: string) => void): void {
    this.#serverBack.push(listener);
  }

  /** Drops a token the server refused, so the next `accessToken()` logs in again. */
  invalidateToken(token: string): void {
    this.stats.refusedTokens++;
    this.#token?.invalidate(token);
  }

  /**
   * Sends a request, failing over to the next server when one cannot be reached. Rejects with
   * `NacosUnreachableError` when none answers, with a `RegistryError` when the login fails, and
   * with the signal's reason when `signal` aborts. Any HTTP status resolves.
   */
  async send(request: NacosRequest): Promise<NacosResponse> {
    const useToken = request.auth !== false && this.#token !== undefined;
    const token = useToken ? await this.#token!.get() : undefined;
    let response = await this.#sendAnywhere(request, token);
    if (token !== undefined && isRefusal(response.status)) {
      // Expired or lost (a restarted server forgets its tokens): log in again, once.
      this.stats.refusedTokens++;
      this.#token!.invalidate(token);
      const fresh = await this.#token!.get();
      response = await this.#sendAnywhere(request, fresh);
    }
    if (isRefusal(response.status)) throw this.#refusal(request.op, response, token !== undefined);
    return response;
  }

  /**
   * A 401 or 403 as a `RegistryError` that says what to do. Without credentials every server
   * means "log in first", whatever its text: r-nacos says `unknown user!`, Nacos 2.5.1
   * `user not found!`, Nacos 3.0.3 `User not found! Please check user exist or password is right!`.
   */
  #refusal(op: string, response: NacosResponse, withToken: boolean): NacosRefusedError {
    const why = withToken
      ? `the server refused access to user '${this.#username}' even after a fresh login`
      : 'the server requires authentication: set username and password';
    return new NacosRefusedError(
      `${op} at ${response.server.origin} failed: ${why} (HTTP ${response.status}: ${this.redact(response.body.trim())})`,
    );
  }

  /** The error for an answer the server refused: operation, server, HTTP status and the redacted body. */
  failure(op: string, response: NacosResponse): RegistryError {
    return new RegistryError(
      'nacos',
      `${op} at ${response.server.origin} failed with HTTP ${response.status}: ${this.redact(response.body.trim())}`,
    );
  }

  /** Text safe for an error message: at most 200 characters, the password and token masked. */
  redact(text: string): string {
    let safe = text;
    // Mask before cutting, so that no part of a secret survives at the cut.
    for (const secret of [this.#password, this.#token?.current]) {
      if (secret !== undefined && secret.length > 0) safe = safe.split(secret).join('***');
    }
    return safe.length > MAX_BODY_IN_MESSAGE ? `${safe.slice(0, MAX_BODY_IN_MESSAGE)}...` : safe;
  }

  /** Closes pooled connections. */
  async close(): Promise<void> {
    await this.#agent.close();
  }

  async #sendAnywhere(request: NacosRequest, token: string | undefined): Promise<NacosResponse> {
    const failures: string[] = [];
    let lastError: unknown;
    let failedSince = 0;
    for (const index of this.#order()) {
      const server = this.#servers[index]!;
      const attemptStart = performance.now();
      try {
        const response = await this.#sendTo(server, request, token);
        this.#failures[index] = 0;
        this.#passOverUntil[index] = 0;
        if (this.#refused[index]) {
          this.#refused[index] = false;
          for (const listener of this.#serverBack) listener(server.origin);
        }
        this.stats.answers[server.origin] = (this.stats.answers[server.origin] ?? 0) + 1;
        if (failures.length > 0) {
          this.stats.maxFailOverMs = Math.max(this.stats.maxFailOverMs, performance.now() - failedSince);
        }
        return response;
      } catch (error) {
        if (request.signal?.aborted) throw request.signal.reason;
        lastError = error;
        // From the start of the first attempt that failed to the answer.
        if (failures.length === 0) failedSince = attemptStart;
        this.stats.unreachable[server.origin] = (this.stats.unreachable[server.origin] ?? 0) + 1;
        if (this.#servers.length > 1) this.#refused[index] = isRefused(error);
        const failed = ++this.#failures[index]!;
        this.#passOverUntil[index] =
          performance.now() + Math.min(MAX_PASS_OVER_MS, FIRST_PASS_OVER_MS * 2 ** (failed - 1));
        failures.push(`${server.origin}: ${describeNetworkError(error)}`);
      }
    }
    throw new NacosUnreachableError(
      `${request.op} failed: Nacos cannot be reached (${failures.join('; ')})`,
      {
        cause: lastError,
      },
    );
  }

  /** The servers to try, in turn from the next one: those not passed over first, then the rest. */
  #order(): number[] {
    const count = this.#servers.length;
    if (count === 1) return [0];
    const start = this.#next;
    this.#next = (start + 1) % count;
    const now = performance.now();
    const up: number[] = [];
    const passedOver: number[] = [];
    for (let i = 0; i < count; i++) {
      const index = (start + i) % count;
      (this.#passOverUntil[index]! <= now ? up : passedOver).push(index);
    }
    return up.concat(passedOver);
  }

  async #sendTo(
    server: NacosServer,
    request: NacosRequest,
    token: string | undefined,
  ): Promise<NacosResponse> {
    const query = request.query === undefined ? '' : `?${new URLSearchParams(request.query).toString()}`;
    const headers: Record<string, string> = {
      accept: 'application/json, text/plain, */*',
      ...request.headers,
    };
    let body: string | undefined;
    if (request.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded;charset=UTF-8';
      body = new URLSearchParams(request.form).toString();
    }
    if (token !== undefined) headers.accessToken = token;
    const timeoutMs = request.timeoutMs ?? this.#timeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = request.signal === undefined ? timeout : AbortSignal.any([request.signal, timeout]);
    const response = await this.#agent.request({
      origin: server.origin,
      path: `${request.path}${query}`,
      method: request.method,
      headers,
      body,
      signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const text = await response.body.text();
    return { status: response.statusCode, body: text, server };
  }

  async #login(): Promise<LoginResult> {
    const username = this.#username!;
    const form = { username, password: this.#password! };
    const paths = this.#loginPaths;
    for (let i = 0; i < paths.length; i++) {
      const path = paths[i]!;
      const op = `log in as '${username}'`;
      const response = await this.#sendAnywhere({ op, method: 'POST', path, form }, undefined);
      // A server without this login path (Nacos 2 has no v3 login): try the next one.
      if (response.status === 404 && i < paths.length - 1) continue;
      if (isRefusal(response.status)) {
        throw new NacosRefusedError(
          `${op} at ${response.server.origin} failed: the server refused the login: wrong username or password (HTTP ${response.status}: ${this.redact(response.body.trim())})`,
        );
      }
      if (response.status >= 500) {
        // Nacos 3.0.3 answers a wrong password with HTTP 500 "No message available" (on both
        // login paths), and Nacos 2.5.1 an unknown user with HTTP 500 "User x not found": quoting
        // that would send the user hunting for a server fault.
        throw new NacosRefusedError(
          `${op} at ${response.server.origin} failed: the server refused the login (HTTP ${response.status}, which Nacos 2.5 and 3.0 answer to a wrong username or password)`,
        );
      }
      if (response.status !== 200) throw this.failure(op, response);
      const parsed = parseLogin(response.body);
      if (parsed === undefined) {
        throw new RegistryError(
          'nacos',
          `${op} at ${response.server.origin} failed: the answer has no accessToken (${this.redact(response.body.trim())})`,
        );
      }
      this.#loginPaths = [path];
      this.stats.logins++;
      return parsed;
    }
    // Unreachable: the loop returns or throws on its last path.
    throw new RegistryError('nacos', `log in as '${username}' failed: no login path`);
  }
}

function isRefusal(status: number): boolean {
  return status === 401 || status === 403;
}

function parseLogin(body: string): LoginResult | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null) return undefined;
  // Nacos 3 may wrap the answer in its `{ code, message, data }` envelope.
  const record = (
    'data' in json && typeof (json as { data: unknown }).data === 'object' && !('accessToken' in json)
      ? (json as { data: unknown }).data
      : json
  ) as Record<string, unknown> | null;
  if (record === null) return undefined;
  const accessToken = record.accessToken;
  if (typeof accessToken !== 'string' || accessToken === '') return undefined;
  const ttl = Number(record.tokenTtl);
  return { accessToken, tokenTtlSeconds: Number.isFinite(ttl) ? ttl : 0 };
}

/** Whether the connection was refused: nothing listens on the server's port. */
function isRefused(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, cause } = error as { code?: unknown; cause?: { code?: unknown } };
  return code === 'ECONNREFUSED' || cause?.code === 'ECONNREFUSED';
}

function describeNetworkError(error: unknown): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') return 'no answer in time';
  if (typeof error !== 'object' || error === null) return String(error);
  const { code, name, message } = error as { code?: unknown; name?: unknown; message?: unknown };
  if (name === 'TimeoutError' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT') {
    return 'no answer in time';
  }
  const cause = (error as { cause?: { code?: unknown } }).cause;
  const detail = typeof code === 'string' ? code : typeof cause?.code === 'string' ? cause.code : undefined;
  return detail ?? (typeof message === 'string' ? message : String(error));
}
