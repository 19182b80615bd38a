import * as grpc from '@grpc/grpc-js';
import { decodePayload, encodePayload, type Payload } from './payload.js';

/** The parts of a server's request the client answers on the bi-stream. */
export type ServerRequestHandler = (
  request: Payload,
) => { type: string; body: Record<string, unknown> } | undefined;

/** What a connection needs. */
export interface ConnectionOptions {
  /** `host:port` of the server's gRPC port. */
  readonly address: string;
  readonly credentials: grpc.ChannelCredentials;
  /** The namespace (`tenant` of the connection setup). */
  readonly namespace: string;
  readonly timeoutMs: number;
  /** Answers the server's requests on the bi-stream (push, detection, reset). */
  readonly onServerRequest: ServerRequestHandler;
  /** The stream ended or failed: the server dropped this connection (or went away). */
  readonly onClosed: (connection: GrpcConnection, reason: string) => void;
}

/** The Nacos error code of a connection the server does not know (yet, or any more). */
export const UNREGISTERED_CONNECTION = 301;

/** A gRPC call that failed below the Nacos protocol (refused, reset, deadline): the server is away. */
export class GrpcTransportError extends Error {
  readonly grpcCode: number | undefined;
  constructor(message: string, grpcCode?: number) {
    super(message);
    this.name = 'GrpcTransportError';
    this.grpcCode = grpcCode;
  }
}

const METHOD_REQUEST = '/Request/request';
const METHOD_BI_STREAM = '/BiRequestStream/requestBiStream';
const identity = (buffer: Buffer) => buffer;
/** As the official clients name themselves: a server may read the version after `:v`. */
const CLIENT_VERSION = 'Nacos-Node-Client:v2.5.1 (service-caller)';

/**
 * One connection to one Nacos server's gRPC port, as the official clients make it: a
 * `ServerCheckRequest` (unary) gives the connection id; the bi-stream opened next carries the
 * `ConnectionSetupRequest` (namespace and labels) and then the server's requests, which are
 * answered on the same stream. Naming requests go unary (`Request/request`). A connection is
 * never reused after its stream ended: the client makes a new one (the server forgot this one's
 * instances and subscriptions with it).
 */
export class GrpcConnection {
  readonly address: string;
  readonly connectionId: string;
  readonly #client: grpc.Client;
  readonly #options: ConnectionOptions;
  #stream: grpc.ClientDuplexStream<Buffer, Payload> | undefined;
  #closed = false;

  private constructor(client: grpc.Client, connectionId: string, options: ConnectionOptions) {
    this.#client = client;
    this.connectionId = connectionId;
    this.address = options.address;
    this.#options = options;
  }

  /**
   * Connects: server check, bi-stream, connection setup. Rejects with `GrpcTransportError` when
   * the port does not answer the Nacos protocol in `timeoutMs`.
   */
  static async open(options: ConnectionOptions): Promise<GrpcConnection> {
    const client = new grpc.Client(options.address, options.credentials, {
      // One channel per connection, as the official clients keep it: a reconnection is a new one.
      'grpc.use_local_subchannel_pool': 1,
      'grpc.max_receive_message_length': 10 * 1024 * 1024,
      // A dead server is the client's to notice (health checks), not the channel's to retry.
      'grpc.enable_retries': 0,
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 1000,
    });
    try {
      const check = await unary(client, 'ServerCheckRequest', internal({}), {}, options.timeoutMs);
      const connectionId = check.body.connectionId;
      if (check.type !== 'ServerCheckResponse' || typeof connectionId !== 'string' || connectionId === '') {
        throw new GrpcTransportError(
          `${options.address} answered the server check with ${check.type || 'no type'}: no Nacos gRPC server`,
        );
      }
      const connection = new GrpcConnection(client, connectionId, options);
      connection.#openStream();
      return connection;
    } catch (error) {
      client.close();
      throw error;
    }
  }

  /** Whether the stream ended or `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Sends one request (its JSON body and headers); resolves with the server's answer, any type. */
  request(
    type: string,
    body: Record<string, unknown>,
    headers: Readonly<Record<string, string>>,
    timeoutMs = this.#options.timeoutMs,
  ): Promise<Payload> {
    if (this.#closed)
      return Promise.reject(new GrpcTransportError(`the connection to ${this.address} is closed`));
    return unary(this.#client, type, body, headers, timeoutMs);
  }

  /** Ends the stream and the channel. No `onClosed` call follows. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stream?.cancel();
    this.#client.close();
  }

  #openStream(): void {
    const stream = this.#client.makeBidiStreamRequest(METHOD_BI_STREAM, identity, decodePayload);
    this.#stream = stream;
    stream.on('data', (request: Payload) => {
      const answer = this.#options.onServerRequest(request);
      if (answer === undefined || this.#closed) return;
      const requestId = request.body.requestId;
      stream.write(
        encodePayload(answer.type, {
          resultCode: 200,
          errorCode: 0,
          message: '',
          requestId: typeof requestId === 'string' ? requestId : '',
          ...answer.body,
        }),
      );
    });
    const ended = (reason: string) => {
      if (this.#closed) return;
      this.#closed = true;
      this.#client.close();
      this.#options.onClosed(this, reason);
    };
    stream.on('error', (error: grpc.ServiceError) => ended(error.details || error.message));
    stream.on('end', () => ended('the server ended the stream'));
    stream.write(
      encodePayload(
        'ConnectionSetupRequest',
        internal({
          clientVersion: CLIENT_VERSION,
          tenant: this.#options.namespace,
          labels: { source: 'sdk', module: 'naming' },
          abilityTable: {},
        }),
      ),
    );
  }
}

/** The fields every request of the `internal` module carries. */
function internal(fields: Record<string, unknown>): Record<string, unknown> {
  return { headers: {}, requestId: '', module: 'internal', ...fields };
}

function unary(
  client: grpc.Client,
  type: string,
  body: Record<string, unknown>,
  headers: Readonly<Record<string, string>>,
  timeoutMs: number,
): Promise<Payload> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      METHOD_REQUEST,
      identity,
      decodePayload,
      encodePayload(type, body, headers),
      new grpc.Metadata(),
      { deadline: Date.now() + timeoutMs },
      (error, answer) => {
        if (error !== null || answer === undefined) {
          reject(new GrpcTransportError(describeGrpcError(error), error?.code));
          return;
        }
        resolve(answer);
      },
    );
  });
}

function describeGrpcError(error: grpc.ServiceError | null): string {
  if (error === null) return 'no answer';
  if (error.code === grpc.status.DEADLINE_EXCEEDED) return 'no answer in time';
  if (error.code === grpc.status.UNAVAILABLE) return `unavailable (${error.details || 'connection refused'})`;
  return `${grpc.status[error.code] ?? error.code}: ${error.details || error.message}`;
}
