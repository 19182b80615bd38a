import * as grpc from '@grpc/grpc-js';
import type { Logger } from '@service-caller/core';
import { RegistryError } from '@service-caller/core';
import { NacosRefusedError, NacosUnreachableError } from '../nacos-http.js';
import type { NacosGrpcTls, NacosServer } from '../options.js';
import type { NacosOutage } from '../outage-log.js';
import { GrpcConnection, GrpcTransportError, UNREGISTERED_CONNECTION } from './grpc-connection.js';
import type { Payload } from './payload.js';

/** What the client needs. */
export interface GrpcClientOptions {
  readonly servers: readonly NacosServer[];
  /** The gRPC port is the HTTP port plus this. */
  readonly portOffset: number;
  readonly tls: NacosGrpcTls | undefined;
  readonly namespace: string;
  readonly timeoutMs: number;
  /** The access token to send, when credentials are configured (logged in over HTTP). */
  readonly token: (() => Promise<string>) | undefined;
  /** Drops a token the server refused, so the next `token()` logs in again. */
  readonly invalidateToken: (token: string) => void;
  /** Masks secrets in text for an error message. */
  readonly redact: (text: string) => string;
  readonly outage: NacosOutage;
  readonly logger: Logger;
  /** Answers a server request the client does not handle itself (`NotifySubscriberRequest`). */
  readonly onServerRequest: (request: Payload) => { type: string; body: Record<string, unknown> } | undefined;
  /**
   * Called on each new connection before any request waiting for it goes out: re-registers and
   * re-subscribes on it (the server forgot them with the old connection).
   */
  readonly onConnected: (connection: GrpcConnection, reconnection: boolean) => Promise<void>;
}

/** How often an idle connection is checked, as the official clients do (5 s). */
const HEALTH_CHECK_MS = 5000;
/** Reconnection back-off: 100 ms doubling to 1 s, so a server that answers again is used within a second. */
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 1000;
/** Right after the connection setup a server may not know the connection yet (error 301): ask again this often. */
const UNREGISTERED_RETRIES = 20;
const UNREGISTERED_DELAY_MS = 50;
/** How Node's TLS reports a handshake that failed (an untrusted or mismatched certificate, a plaintext port). */
const TLS_FAILURE =
  /certificate|self[- ]signed|unable to verify|altnames|ssl|tls|handshake|wrong version number|packet length/i;
/** Nacos 2.x's code for a naming request from a connection it holds no client for (yet). */
const NOT_REGISTERED_CLIENT = -401;

/**
 * The gRPC side of the built-in client: one connection at a time to one server of the list, the
 * access token in each request's headers, health checks of an idle connection, and reconnection
 * (next server in turn, 100 ms back-off doubling to 1 s) when the stream ends, a health check
 * fails, or the server asks (`ConnectResetRequest`). A reconnection redoes every registration and
 * subscription before requests waiting for it go out.
 */
export class NacosGrpcClient {
  readonly #options: GrpcClientOptions;
  readonly #credentials: grpc.ChannelCredentials;
  #connection: GrpcConnection | undefined;
  #connecting: Promise<GrpcConnection> | undefined;
  #next = Math.floor(Math.random() * 1_000_000);
  /** A server the last `ConnectResetRequest` recommended. */
  #recommended: NacosServer | undefined;
  #everConnected = false;
  /** Why the last turn over the servers failed, for the error of a request that waited in vain. */
  #lastFailure: string | undefined;
  #lastActive = 0;
  #healthTimer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(options: GrpcClientOptions) {
    this.#options = options;
    const { tls } = options;
    this.#credentials =
      tls === undefined
        ? grpc.credentials.createInsecure()
        : grpc.credentials.createSsl(buffer(tls.ca), buffer(tls.key), buffer(tls.cert));
  }

  /** The server of the current connection, for messages. */
  get address(): string | undefined {
    return this.#connection?.address;
  }

  /**
   * Opens a connection once, with one turn over the server list (a probe: `auto` asks whether a
   * gRPC port answers). Rejects with `NacosUnreachableError` when none does.
   */
  async probe(timeoutMs: number): Promise<void> {
    await this.#connected(timeoutMs, true);
  }

  /**
   * Sends a request on the current connection (waiting up to the timeout for one). A request
   * that failed below the protocol (the connection broke) is sent once more on the next
   * connection. Resolves with the answer's body; rejects with `RegistryError` for an error
   * answer (`NacosRefusedError` when the server refuses this client).
   */
  async request(op: string, type: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const deadline = performance.now() + this.#options.timeoutMs;
    let lastError: unknown;
    for (let attempt = 0; attempt < 2; attempt++) {
      const left = deadline - performance.now();
      if (left <= 0) break;
      let connection: GrpcConnection;
      try {
        connection = await this.#connected(left, false);
      } catch (error) {
        throw this.#unreachable(op, error);
      }
      try {
        return await this.requestOn(connection, op, type, body);
      } catch (error) {
        if (!(error instanceof GrpcTransportError)) throw error;
        lastError = error;
        this.#drop(connection, error.message);
      }
    }
    throw this.#unreachable(op, lastError);
  }

  /** Sends a request on `connection` itself (the redo after a reconnection, which must not wait for one). */
  async requestOn(
    connection: GrpcConnection,
    op: string,
    type: string,
    body: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    let token = this.#options.token === undefined ? undefined : await this.#token(op);
    let refreshed = false;
    for (let unregistered = 0; ; ) {
      const answer = await connection.request(type, body, token === undefined ? {} : { accessToken: token });
      this.#lastActive = performance.now();
      const { errorCode, resultCode, message } = answer.body;
      const code = typeof errorCode === 'number' ? errorCode : 0;
      if (answer.type !== 'ErrorResponse' && code === 0 && (resultCode === undefined || resultCode === 200)) {
        return answer.body;
      }
      const text = this.#options.redact(typeof message === 'string' ? message : '');
      const notKnownYet =
        code === UNREGISTERED_CONNECTION ||
        // Nacos 2.5.1 answers a naming request that overtook the connection setup with -401,
        // "connection already disconnect" (seen in the registry tests on a loaded machine).
        (code === NOT_REGISTERED_CLIENT && /already disconnect/i.test(text));
      if (notKnownYet && unregistered++ < UNREGISTERED_RETRIES) {
        // The server has not processed the connection setup yet.
        await delay(UNREGISTERED_DELAY_MS);
        continue;
      }
      if (notKnownYet) {
        this.#drop(connection, 'the server does not know the connection');
        throw new GrpcTransportError(`${connection.address} does not know the connection (${text})`);
      }
      if (isRefusal(code, text)) {
        if (token !== undefined && !refreshed) {
          // Expired or lost (a restarted server forgets its tokens): log in again, once.
          refreshed = true;
          this.#options.invalidateToken(token);
          token = await this.#token(op);
          continue;
        }
        const why =
          token === undefined
            ? 'the server requires authentication: set username and password'
            : 'the server refused access even after a fresh login';
        throw new NacosRefusedError(
          `${op} at ${connection.address} (gRPC) failed: ${why} (error ${code}: ${text})`,
        );
      }
      throw new RegistryError(
        'nacos',
        `${op} at ${connection.address} (gRPC) failed: error ${code}: ${text}`,
      );
    }
  }

  /** Closes the connection and stops reconnecting. */
  close(): void {
    this.#closed = true;
    if (this.#healthTimer !== undefined) clearInterval(this.#healthTimer);
    this.#connection?.close();
    this.#connection = undefined;
  }

  async #token(op: string): Promise<string> {
    try {
      return await this.#options.token!();
    } catch (error) {
      if (error instanceof RegistryError) throw error;
      throw new RegistryError('nacos', `${op} failed: the login failed: ${String(error)}`, { cause: error });
    }
  }

  /** The open connection, or the one being made (waiting at most `timeoutMs` for it). */
  #connected(timeoutMs: number, oneTurn: boolean): Promise<GrpcConnection> {
    if (this.#closed) return Promise.reject(new RegistryError('nacos', 'the gRPC client is closed'));
    const current = this.#connection;
    if (current !== undefined && !current.closed) return Promise.resolve(current);
    this.#connecting ??= this.#connectLoop(oneTurn).finally(() => {
      this.#connecting = undefined;
    });
    const connecting = this.#connecting;
    if (!Number.isFinite(timeoutMs)) return connecting;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        // Name the cause (a refused port, an untrusted certificate), not only the wait.
        const last = this.#lastFailure === undefined ? '' : `; last attempt: ${this.#lastFailure}`;
        reject(new GrpcTransportError(`no connection within ${Math.round(timeoutMs)} ms${last}`));
      }, timeoutMs);
      connecting.then(
        (connection) => {
          clearTimeout(timer);
          resolve(connection);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  /**
   * Tries the servers in turn until one connects (or, for a probe, after one turn). Each turn
   * that fails is reported to the outage log; a connection made after the first one is a
   * reconnection, which the log and the redo hear about.
   */
  async #connectLoop(oneTurn: boolean): Promise<GrpcConnection> {
    const { servers } = this.#options;
    let failures = 0;
    for (;;) {
      const errors: string[] = [];
      for (const server of this.#turn()) {
        if (this.#closed) throw new RegistryError('nacos', 'the gRPC client is closed');
        const address = `${server.host.includes(':') ? `[${server.host}]` : server.host}:${server.port + this.#options.portOffset}`;
        let connection: GrpcConnection;
        try {
          connection = await GrpcConnection.open({
            address,
            credentials: this.#credentials,
            namespace: this.#options.namespace,
            timeoutMs: Math.min(this.#options.timeoutMs, 3000),
            onServerRequest: (request) => this.#serverRequest(request),
            onClosed: (closed, reason) => this.#onClosed(closed, reason),
          });
        } catch (error) {
          errors.push(this.#describeFailure(address, error));
          continue;
        }
        const reconnection = this.#everConnected;
        try {
          await this.#options.onConnected(connection, reconnection);
        } catch (error) {
          if (error instanceof GrpcTransportError || error instanceof NacosUnreachableError) {
            // The redo failed on this connection (the server went away again): try the next one.
            connection.close();
            errors.push(`${address}: ${error.message}`);
            continue;
          }
          // The server answered but refused (credentials, a bad instance): the connection is
          // good, and the requests waiting for it get that answer themselves, which names the
          // cause, rather than a timeout waiting for a connection.
          this.#options.logger.warn(
            `[nacos] gRPC: redoing the registrations on ${address} failed: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
        if (this.#closed) {
          connection.close();
          throw new RegistryError('nacos', 'the gRPC client is closed');
        }
        this.#everConnected = true;
        this.#lastFailure = undefined;
        this.#connection = connection;
        this.#lastActive = performance.now();
        this.#startHealthChecks();
        if (reconnection) this.#options.outage.restarted();
        this.#options.outage.succeeded();
        this.#options.logger.info(
          `[nacos] gRPC connected to ${address} (connection ${connection.connectionId})`,
        );
        return connection;
      }
      this.#lastFailure = errors.join('; ');
      const error = new NacosUnreachableError(
        `connecting over gRPC failed: Nacos cannot be reached (${this.#lastFailure})`,
      );
      if (oneTurn) throw error;
      this.#options.outage.failed(error);
      failures++;
      await delay(Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (failures - 1)) * (0.75 + Math.random() / 4));
      if (servers.length === 0) throw error;
    }
  }

  /**
   * One server's connection failure, as the errors show it. With `grpcTls`, a failed handshake
   * says so and what to check: grpc-js reports it as a bare "unavailable", which reads like a
   * server that is down, and retrying does not help.
   */
  #describeFailure(address: string, error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    if (this.#options.tls !== undefined && TLS_FAILURE.test(message)) {
      return `${address}: the TLS handshake failed (${message}): check grpcTls.ca, and that the server serves gRPC over TLS`;
    }
    return `${address}: ${message}`;
  }

  /** The servers in the order to try: the recommended one, then every one from the next in turn. */
  #turn(): NacosServer[] {
    const { servers } = this.#options;
    const start = this.#next++ % servers.length;
    const order = servers.map((_, i) => servers[(start + i) % servers.length]!);
    const recommended = this.#recommended;
    this.#recommended = undefined;
    return recommended === undefined ? order : [recommended, ...order.filter((s) => s !== recommended)];
  }

  #serverRequest(request: Payload): { type: string; body: Record<string, unknown> } | undefined {
    if (request.type === 'ClientDetectionRequest') return { type: 'ClientDetectionResponse', body: {} };
    // Nacos 2.3+ acknowledges the connection setup (ability negotiation); the official clients answer.
    if (request.type === 'SetupAckRequest') return { type: 'SetupAckResponse', body: {} };
    if (request.type === 'ConnectResetRequest') {
      const { serverIp, serverPort } = request.body;
      this.#recommended = this.#options.servers.find(
        (s) =>
          s.host === serverIp &&
          (serverPort === undefined ||
            String(s.port + this.#options.portOffset) === String(serverPort) ||
            String(s.port) === String(serverPort)),
      );
      const connection = this.#connection;
      // Answer first, then move: the server waits for the answer before it lets go.
      setImmediate(() => {
        if (connection !== undefined) this.#drop(connection, 'the server asked this client to reconnect');
      });
      return { type: 'ConnectResetResponse', body: {} };
    }
    return this.#options.onServerRequest(request);
  }

  #onClosed(connection: GrpcConnection, reason: string): void {
    if (this.#closed || connection !== this.#connection) return;
    this.#drop(connection, reason);
  }

  /** Gives up `connection` and reconnects in the background. */
  #drop(connection: GrpcConnection, reason: string): void {
    connection.close();
    if (this.#connection !== connection || this.#closed) return;
    this.#connection = undefined;
    this.#options.logger.info(
      `[nacos] gRPC connection to ${connection.address} lost (${reason}); reconnecting`,
    );
    this.#connected(Number.POSITIVE_INFINITY, false).catch(() => {});
  }

  #startHealthChecks(): void {
    if (this.#healthTimer !== undefined) return;
    this.#healthTimer = setInterval(() => {
      const connection = this.#connection;
      if (connection === undefined || performance.now() - this.#lastActive < HEALTH_CHECK_MS) return;
      connection
        .request('HealthCheckRequest', { headers: {}, requestId: '', module: 'internal' }, {}, 3000)
        .then(
          (answer) => {
            const code = answer.body.errorCode;
            // 3xx: a server that is starting asks to be asked again later.
            if (answer.type === 'ErrorResponse' && !(typeof code === 'number' && code >= 300 && code < 400)) {
              this.#drop(connection, `health check answered ${String(answer.body.message ?? code)}`);
              return;
            }
            this.#lastActive = performance.now();
          },
          (error: unknown) => this.#drop(connection, `health check failed: ${String(error)}`),
        );
    }, HEALTH_CHECK_MS);
    this.#healthTimer.unref?.();
  }

  #unreachable(op: string, error: unknown): RegistryError {
    if (error instanceof RegistryError) {
      return error instanceof NacosUnreachableError
        ? new NacosUnreachableError(`${op} failed: ${error.message.replace(/^\[nacos\] /, '')}`, {
            cause: error,
          })
        : error;
    }
    const reason = error instanceof Error ? error.message : String(error);
    return new NacosUnreachableError(`${op} failed: Nacos cannot be reached over gRPC (${reason})`, {
      cause: error,
    });
  }
}

/**
 * Whether an error answer means the server refuses this client. Nacos answers a request without
 * a valid token with error 403 (2.x, 3.x) or 401; r-nacos may use other codes with an auth text.
 */
function isRefusal(code: number, text: string): boolean {
  return (
    code === 401 ||
    code === 403 ||
    /\b(unknown user|user not found|invalid token|token expired|no permission|auth)/i.test(text)
  );
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}

function buffer(pem: string | Uint8Array | undefined): Buffer | null {
  if (pem === undefined) return null;
  return typeof pem === 'string' ? Buffer.from(pem) : Buffer.from(pem);
}
