import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { BufferedResponseBase } from '../../src/adapter.js';
import {
  type BufferedResponse,
  ClosedError,
  ConnectionError,
  type RawResponse,
  type RequestBody,
  TimeoutError,
  type Transport,
  type TransportRequest,
} from '../../src/index.js';

/**
 * A small real Transport on node:http / node:https, for core's own tests only (core ships no
 * HTTP client). Honours `signal` before connect, while waiting for headers and while reading
 * the body, rejecting with the signal's reason; maps socket errors to `ConnectionError`.
 */
export interface NodeHttpTransport extends Transport {
  /** Requests sent so far (through `send` or `sendBuffered`). */
  readonly sent: readonly TransportRequest[];
  /** How many of them went through `sendBuffered`. */
  readonly buffered: number;
  /** Requests waiting for response headers. */
  readonly pending: number;
  /** Whether `close()` has been called. */
  readonly closed: boolean;
}

/**
 * `buffered: true` gives the transport the optional `sendBuffered` (the body read whole with
 * `bytes()`), so that tests reach the engine's buffered path for parsed calls. `abortHook: true`
 * makes it say `usesAbortHook`: it then aborts on the request's `abortHook` (through the hook's
 * `signal`) as on its `signal`.
 */
export function nodeHttpTransport(
  options: { readTimeout?: number; buffered?: boolean; abortHook?: boolean } = {},
): NodeHttpTransport {
  const httpAgent = new HttpAgent({ keepAlive: true });
  const httpsAgent = new HttpsAgent({ keepAlive: true, rejectUnauthorized: false });
  const sent: TransportRequest[] = [];
  let pending = 0;
  let closed = false;
  let idle: (() => void) | undefined;

  const settle = () => {
    pending--;
    if (pending === 0) idle?.();
  };

  let buffered = 0;
  const transport: NodeHttpTransport = {
    name: 'node-http',
    get sent() {
      return sent;
    },
    get buffered() {
      return buffered;
    },
    get pending() {
      return pending;
    },
    get closed() {
      return closed;
    },
    send(request: TransportRequest): Promise<RawResponse> {
      if (closed) return Promise.reject(new ClosedError('node-http transport'));
      sent.push(request);
      const signal = request.signal ?? (options.abortHook ? request.abortHook?.signal : undefined);
      if (signal?.aborted) return Promise.reject(signal.reason);
      const secure = request.origin.startsWith('https:');
      const target = new URL(request.origin);
      pending++;
      return new Promise<RawResponse>((resolve, reject) => {
        let done = false;
        const req = (secure ? httpsRequest : httpRequest)({
          host: target.hostname.replace(/^\[|\]$/g, ''),
          port: target.port,
          method: request.method,
          path: request.path,
          headers: request.headers,
          agent: secure ? httpsAgent : httpAgent,
        });
        const fail = (error: unknown) => {
          if (done) return;
          done = true;
          signal?.removeEventListener('abort', onAbort);
          settle();
          reject(error);
        };
        const onAbort = () => {
          req.destroy();
          fail(signal!.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        if (options.readTimeout !== undefined) {
          req.setTimeout(options.readTimeout, () => {
            req.destroy();
            fail(
              new TimeoutError(
                'read',
                options.readTimeout!,
                `${request.method} ${request.origin}${request.path}`,
              ),
            );
          });
        }
        req.on('error', (error) => {
          fail(
            signal?.aborted
              ? signal.reason
              : new ConnectionError(`${request.method} ${request.origin}: ${error.message}`, {
                  cause: error,
                }),
          );
        });
        req.on('response', (res) => {
          if (done) {
            res.destroy();
            return;
          }
          done = true;
          signal?.removeEventListener('abort', onAbort);
          settle();
          resolve(new NodeRawResponse(res, request.origin + request.path, signal));
        });
        writeBody(req, request.body).catch((error: unknown) => {
          req.destroy();
          fail(new ConnectionError(`could not send the body: ${(error as Error).message}`, { cause: error }));
        });
      });
    },
    async close() {
      closed = true;
      if (pending !== 0) await new Promise<void>((resolve) => (idle = resolve));
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
  if (options.abortHook) (transport as { usesAbortHook?: boolean }).usesAbortHook = true;
  if (options.buffered) {
    transport.sendBuffered = async (request: TransportRequest): Promise<BufferedResponse> => {
      const response = await transport.send(request);
      buffered++;
      const noBody = request.method === 'HEAD' || response.status === 204 || response.status === 304;
      const bytes = noBody ? new Uint8Array(0) : await response.bytes();
      return new NodeBufferedResponse(response, request, bytes);
    };
  }
  return transport;
}

/** A response read whole, as `sendBuffered` answers. */
class NodeBufferedResponse extends BufferedResponseBase {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly bodyBytes: Uint8Array;

  constructor(response: RawResponse, request: TransportRequest, bytes: Uint8Array) {
    super('node-http', request);
    this.status = response.status;
    this.statusText = response.statusText;
    this.headers = response.headers;
    this.bodyBytes = bytes;
  }

  header(name: string): string | undefined {
    const value = this.headers[name];
    return Array.isArray(value) ? value[0] : value;
  }
}

async function writeBody(req: import('node:http').ClientRequest, body: RequestBody | null | undefined) {
  if (body === undefined || body === null) {
    req.end();
    return;
  }
  if (typeof body === 'string' || body instanceof Uint8Array) {
    req.end(body);
  } else if (body instanceof ArrayBuffer) {
    req.end(new Uint8Array(body));
  } else if (body instanceof URLSearchParams) {
    if (!req.hasHeader('content-type')) req.setHeader('content-type', 'application/x-www-form-urlencoded');
    req.end(body.toString());
  } else {
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) req.write(chunk);
    req.end();
  }
}

class NodeRawResponse implements RawResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly url: string;
  #res: IncomingMessage;
  #signal: AbortSignal | undefined;
  #used = false;

  constructor(res: IncomingMessage, url: string, signal: AbortSignal | undefined) {
    this.status = res.statusCode ?? 0;
    this.statusText = res.statusMessage ?? '';
    this.headers = res.headers;
    this.url = url;
    this.#res = res;
    this.#signal = signal;
  }

  get bodyUsed(): boolean {
    return this.#used;
  }

  get body(): ReadableStream<Uint8Array> | null {
    this.#used = true;
    return Readable.toWeb(this.#res) as unknown as ReadableStream<Uint8Array>;
  }

  bytes(): Promise<Uint8Array> {
    if (this.#used) return Promise.reject(new TypeError('body already used'));
    this.#used = true;
    const res = this.#res;
    const signal = this.#signal;
    return new Promise<Uint8Array>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const onAbort = () => {
        res.destroy();
        reject(signal!.reason);
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        signal?.removeEventListener('abort', onAbort);
        const all = Buffer.concat(chunks);
        resolve(new Uint8Array(all.buffer, all.byteOffset, all.byteLength));
      });
      res.on('error', (error) => {
        signal?.removeEventListener('abort', onAbort);
        reject(
          signal?.aborted ? signal.reason : new ConnectionError(`reading the body failed: ${error.message}`),
        );
      });
    });
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(await this.bytes());
  }

  async json<T = unknown>(): Promise<T> {
    return JSON.parse(await this.text()) as T;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.bytes();
    return bytes.slice().buffer as ArrayBuffer;
  }

  async dispose(): Promise<void> {
    if (this.#used) return;
    this.#used = true;
    this.#res.resume();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}
