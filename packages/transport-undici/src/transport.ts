import type { BufferedResponse, RawResponse, Transport, TransportRequest } from '@service-caller/core';
import { ClosedError, InvalidRequestError } from '@service-caller/core';
import { hasHeader } from '@service-caller/core/adapter';
import { Agent, Client, type Dispatcher, Pool } from 'undici';
import { BufferingHandler } from './buffering-handler.js';
import { describeTarget, toTransportError } from './errors.js';
import { continueTolerantConnector } from './interim-continue.js';
import { type NormalizedUndiciOptions, normalizeOptions, type UndiciTransportOptions } from './options.js';
import { UndiciRawResponse } from './response.js';
import { limitResponseSize } from './size-limit.js';

/** What `fetch` sends for a `URLSearchParams` body; the undici transport matches it. */
const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded;charset=UTF-8';

/**
 * How many Agents with another connect timeout are kept for requests that override it. undici
 * fixes the connect timeout per Agent; a handful of distinct values is the normal case, and the
 * bound keeps a caller that varies it per request from piling up pools.
 */
const MAX_CONNECT_TIMEOUT_AGENTS = 8;

/** undici's own connect timeout, which an injected dispatcher built without one uses. */
const UNDICI_DEFAULT_CONNECT_TIMEOUT = 10_000;

/**
 * The connection pools an Agent made, kept by the transport itself: undici's Agent forgets its
 * pools once `close()` was called (it clears its map), so its `destroy()` afterwards destroys
 * nothing, and a connection an unread body holds would stay open for ever. Pools that are done
 * (destroyed, or closed with no connection left) are dropped whenever a new one is made, so a
 * long-running process that sees many origins does not keep them all.
 */
type PoolSet = Set<Pool | Client>;

function forgetFinished(pools: PoolSet): void {
  for (const pool of pools) {
    if (pool.destroyed || (pool.closed && pool.stats.connected === 0)) pools.delete(pool);
  }
}

function createAgent(options: NormalizedUndiciOptions, connectTimeout: number, pools: PoolSet): Agent {
  const connect: Record<string, unknown> = { timeout: connectTimeout };
  const tls = options.tls;
  if (tls) {
    if (tls.ca !== undefined) connect.ca = tls.ca;
    if (tls.cert !== undefined) connect.cert = tls.cert;
    if (tls.key !== undefined) connect.key = tls.key;
    if (tls.rejectUnauthorized !== undefined) connect.rejectUnauthorized = tls.rejectUnauthorized;
    if (tls.servername !== undefined) connect.servername = tls.servername;
  }
  return new Agent({
    connections: options.connections,
    pipelining: options.pipelining,
    keepAliveTimeout: options.keepAliveTimeout,
    headersTimeout: options.readTimeout,
    bodyTimeout: options.readTimeout,
    connect,
    // undici's own default factory (a Client for one connection, else a Pool), recorded; without
    // pipelining, its connections tolerate an unrequested `100 Continue` (one connector per pool,
    // as undici builds one per pool from the `connect` options, TLS session cache included).
    factory: (origin: string | URL, agentOptions: Agent.Options) => {
      forgetFinished(pools);
      const poolOptions =
        options.pipelining <= 1
          ? { ...agentOptions, connect: continueTolerantConnector(connect) }
          : agentOptions;
      const pool =
        poolOptions.connections === 1 ? new Client(origin, poolOptions) : new Pool(origin, poolOptions);
      pools.add(pool);
      return pool;
    },
  });
}

function requestTimeout(request: TransportRequest, key: 'connectTimeout' | 'readTimeout', fallback: number) {
  const value = request[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidRequestError(
      `[undici] ${describeTarget(request)}: ${key} must be a positive, finite number of milliseconds, found ${String(value)}`,
    );
  }
  return value;
}

/**
 * One dispatcher as the transport uses it: `dispatch` for bodies read whole (the handler keeps
 * to the size cap itself), and the same dispatcher composed with the size cap for the streamed
 * bodies of `send`.
 */
interface Route {
  readonly dispatcher: Dispatcher;
  readonly streaming: Dispatcher;
}

/** undici's options for `request`. */
function dispatchOptions(request: TransportRequest, readTimeout: number): Dispatcher.RequestOptions {
  let headers = request.headers;
  let body = request.body;
  if (body instanceof URLSearchParams) {
    // undici would take it for an iterable of pairs; send it the way fetch does.
    body = body.toString();
    if (!hasHeader(headers, 'content-type')) headers = { ...headers, 'content-type': FORM_CONTENT_TYPE };
  }
  return {
    origin: request.origin,
    path: request.path,
    method: request.method as Dispatcher.HttpMethod,
    headers,
    // undici also takes ArrayBuffer and web streams (as async iterables); its types list fewer.
    body: body as Dispatcher.DispatchOptions['body'],
    signal: request.signal,
    headersTimeout: readTimeout,
    bodyTimeout: readTimeout,
  };
}

class UndiciTransport implements Transport {
  readonly name = 'undici';
  readonly #options: NormalizedUndiciOptions;
  readonly #dispatcher: Dispatcher;
  readonly #route: Route;
  /** Whether the dispatcher is ours to close (not injected). */
  readonly #owned: boolean;
  readonly #connectTimeout: number;
  readonly #agentsByConnectTimeout = new Map<number, { agent: Agent; route: Route }>();
  /** Per-connect-timeout Agents being closed; destroyed if `closeTimeout` runs out. */
  readonly #closingAgents: Agent[] = [];
  /** Evicted Agents still finishing their requests; `close()` waits for them. */
  readonly #retiring = new Set<Promise<void>>();
  /** Every pool our Agents made and that may still hold a connection; see {@link PoolSet}. */
  readonly #pools: PoolSet = new Set();
  #inFlight = 0;
  /** Told when a buffered request has settled; one function for all of them. */
  readonly #onSettled = () => this.#settled();
  #drained: (() => void) | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: NormalizedUndiciOptions) {
    this.#options = options;
    this.#owned = options.dispatcher === undefined;
    this.#connectTimeout = this.#owned ? options.connectTimeout : UNDICI_DEFAULT_CONNECT_TIMEOUT;
    this.#dispatcher = options.dispatcher ?? createAgent(options, options.connectTimeout, this.#pools);
    this.#route = this.#routeOf(this.#dispatcher);
  }

  async send(request: TransportRequest): Promise<RawResponse> {
    const readTimeout = this.#check(request);
    const connectTimeout = this.#connectTimeoutOf(request);
    const options = dispatchOptions(request, readTimeout);
    this.#inFlight++;
    try {
      const data = await this.#routeFor(connectTimeout).streaming.request(options);
      return new UndiciRawResponse(data, request, connectTimeout, readTimeout);
    } catch (error) {
      throw toTransportError(error, request, connectTimeout, readTimeout);
    } finally {
      this.#settled();
    }
  }

  /**
   * The request on undici's `dispatch`, its body collected by a handler of ours: what a parsed
   * call needs, at less cost than `request()` and a body stream.
   */
  sendBuffered(request: TransportRequest): Promise<BufferedResponse> {
    let readTimeout: number;
    let connectTimeout: number;
    let options: Dispatcher.DispatchOptions;
    try {
      readTimeout = this.#check(request);
      connectTimeout = this.#connectTimeoutOf(request);
      options = this.#bufferedOptions(request, readTimeout);
    } catch (error) {
      return Promise.reject(error);
    }
    const dispatcher = this.#routeFor(connectTimeout).dispatcher;
    this.#inFlight++;
    return BufferingHandler.dispatch(
      dispatcher,
      options,
      request,
      this.#options.maxResponseSize,
      connectTimeout,
      readTimeout,
      this.#onSettled,
    );
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  /** Refuses what `send` would reject at once; returns the request's read timeout. */
  #check(request: TransportRequest): number {
    if (this.#closing) throw new ClosedError('the undici transport');
    const signal = request.signal;
    if (signal?.aborted) throw signal.reason;
    return requestTimeout(request, 'readTimeout', this.#options.readTimeout);
  }

  #connectTimeoutOf(request: TransportRequest): number {
    // An injected dispatcher has its own connect timeout, which a request cannot change.
    return this.#owned
      ? requestTimeout(request, 'connectTimeout', this.#connectTimeout)
      : this.#connectTimeout;
  }

  /**
   * undici's options for a `sendBuffered` request. The common request (our own Agent, no
   * per-request read timeout, no form body) is passed as it is: it already has the `origin`,
   * `path`, `method`, `headers` and `body` undici reads, the Agent's `headersTimeout` and
   * `bodyTimeout` are the transport's `readTimeout`, and `dispatch` ignores `signal` (the
   * handler wires it). That saves an options object per call. An injected dispatcher gets the
   * full options: its own timeouts are not ours, and a `ProxyAgent` uses the signal.
   */
  #bufferedOptions(request: TransportRequest, readTimeout: number): Dispatcher.DispatchOptions {
    if (this.#owned && request.readTimeout === undefined && !(request.body instanceof URLSearchParams)) {
      return request as unknown as Dispatcher.DispatchOptions;
    }
    return dispatchOptions(request, readTimeout);
  }

  #settled(): void {
    if (--this.#inFlight === 0) this.#drained?.();
  }

  #routeOf(dispatcher: Dispatcher): Route {
    return { dispatcher, streaming: limitResponseSize(dispatcher, this.#options.maxResponseSize) };
  }

  #routeFor(connectTimeout: number): Route {
    if (connectTimeout === this.#connectTimeout) return this.#route;
    const known = this.#agentsByConnectTimeout.get(connectTimeout);
    if (known) return known.route;
    if (this.#agentsByConnectTimeout.size >= MAX_CONNECT_TIMEOUT_AGENTS) {
      // Maps iterate in insertion order: the first entry is the oldest.
      const [oldest, evicted] = this.#agentsByConnectTimeout.entries().next().value as [
        number,
        { agent: Agent },
      ];
      this.#agentsByConnectTimeout.delete(oldest);
      // close() lets the evicted Agent's requests in flight finish.
      const retiring: Promise<void> = evicted.agent.close().finally(() => this.#retiring.delete(retiring));
      this.#retiring.add(retiring);
    }
    const agent = createAgent(this.#options, connectTimeout, this.#pools);
    const route = this.#routeOf(agent);
    this.#agentsByConnectTimeout.set(connectTimeout, { agent, route });
    return route;
  }

  async #shutdown(): Promise<void> {
    const graceful = this.#closeGracefully();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(resolve, this.#options.closeTimeout, 'expired');
    });
    try {
      if ((await Promise.race([graceful, expired])) !== 'expired') return;
      // Something still holds a connection (typically a raw response nobody read or disposed, or
      // one whose body is still arriving): destroy what is ours instead of waiting for ever. The
      // pools themselves, since the Agents, once closed, no longer know them; a body still being
      // read then fails, and nothing keeps the process alive.
      const owned: Dispatcher[] = [...this.#closingAgents, ...this.#pools];
      if (this.#owned) owned.push(this.#dispatcher);
      this.#pools.clear();
      await Promise.all(owned.map((dispatcher) => dispatcher.destroy().catch(() => {})));
    } finally {
      clearTimeout(timer);
    }
  }

  async #closeGracefully(): Promise<void> {
    if (this.#inFlight > 0) {
      await new Promise<void>((resolve) => {
        this.#drained = resolve;
      });
    }
    const closing = [...this.#retiring];
    // An injected dispatcher belongs to whoever built it.
    if (this.#owned) closing.push(this.#dispatcher.close());
    for (const { agent } of this.#agentsByConnectTimeout.values()) {
      this.#closingAgents.push(agent);
      closing.push(agent.close());
    }
    this.#agentsByConnectTimeout.clear();
    await Promise.all(closing);
  }
}

/**
 * The default service-caller transport, on undici's `Agent` (one connection pool per origin):
 * `send` streams through `dispatcher.request()`, `sendBuffered` (parsed calls) reads the body
 * whole on `dispatcher.dispatch()` with a handler of its own. Both keep to `maxResponseSize`.
 *
 * Errors are the core's: `TimeoutError` (`connect`, or `read` for headers and body gaps),
 * `ConnectionError` (refused, reset, TLS), `InvalidRequestError`, `ClosedError` after `close()`;
 * an abort rejects with the signal's reason unchanged. Bad options throw `ConfigError`.
 *
 * @example
 * ```ts
 * const transport = undiciTransport({ connections: 100, connectTimeout: 6000, readTimeout: 6000 });
 * await using res = await transport.send({ method: 'GET', origin: 'http://127.0.0.1:8080', path: '/hello', headers: {} });
 * console.log(res.status, await res.json());
 * ```
 */
export function undiciTransport(options?: UndiciTransportOptions): Transport {
  return new UndiciTransport(normalizeOptions(options));
}
