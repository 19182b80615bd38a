import { ConfigError, DEFAULT_MAX_RESPONSE_SIZE } from '@service-caller/core';
import { optionReader } from '@service-caller/core/adapter';
import type { Dispatcher } from 'undici';

/** A PEM string or buffer, or several of them. */
export type PemInput = string | Buffer | Array<string | Buffer>;

/** TLS settings for `https` origins. */
export interface UndiciTlsOptions {
  /**
   * Trusted CA certificates (PEM). When set, they **replace** Node's default CA store for this
   * transport, as in `tls.connect({ ca })`. To trust a private CA in addition to the public ones,
   * pass `[...tls.rootCertificates, myCa]`.
   * @default Node's default CA store
   */
  ca?: PemInput;
  /** Client certificate chain (PEM) for mutual TLS. @default none */
  cert?: PemInput;
  /** Private key (PEM) for `cert`. Never printed in errors. @default none */
  key?: PemInput;
  /**
   * Verify the server's certificate against the trusted CAs. Turning this off accepts any
   * certificate (man-in-the-middle included); use it only against test servers.
   * @default true
   */
  rejectUnauthorized?: boolean;
  /** The SNI server name to send, when it must differ from the origin's host name. @default the origin's host name */
  servername?: string;
}

/**
 * Options of {@link undiciTransport}.
 *
 * @example
 * ```ts
 * const transport = undiciTransport({ connections: 50, connectTimeout: 2000, readTimeout: 10_000 });
 * ```
 */
export interface UndiciTransportOptions {
  /**
   * Maximum connections per origin (the config's `service-caller.connection-pool-size`).
   * Requests beyond it wait in the pool's queue; the queue wait is not bounded by either timeout.
   * @default 100
   */
  connections?: number;
  /**
   * Milliseconds to establish a connection (TCP, plus the TLS handshake for `https`); a request
   * can override it with `TransportRequest.connectTimeout`.
   * @default 6000
   */
  connectTimeout?: number;
  /**
   * Milliseconds to wait for the response headers once the request is on the wire, and the
   * longest idle gap between two body chunks (undici's `headersTimeout` and `bodyTimeout`); a
   * request can override it with `TransportRequest.readTimeout`.
   * @default 6000
   */
  readTimeout?: number;
  /** Milliseconds an idle pooled connection stays open (a server's keep-alive hint may shorten it). @default 4000 */
  keepAliveTimeout?: number;
  /**
   * Milliseconds `close()` waits for requests in flight and unread response bodies before it
   * destroys the connections that are left (their pending reads then fail). A response that is
   * never read nor disposed would otherwise hold `close()` open for ever.
   * @default 10000
   */
  closeTimeout?: number;
  /**
   * The largest response body, in bytes (the config's `service-caller.max-response-size`), for
   * bodies read whole and streamed alike: a `content-length` above it fails when the headers
   * arrive, a body that grows past it fails as it does, with `ResponseTooLargeError`, and the
   * connection is closed. Applies to an injected `dispatcher` too.
   * @default 67108864 (64 MiB, `DEFAULT_MAX_RESPONSE_SIZE`)
   */
  maxResponseSize?: number;
  /** Requests sent on one connection before the first response (HTTP/1.1 pipelining); 1 turns it off. @default 1 */
  pipelining?: number;
  /** TLS settings for `https` origins. @default Node's defaults (platform CA store, verification on) */
  tls?: UndiciTlsOptions;
  /**
   * Your own undici dispatcher: an `Agent`, a `Pool`, a `ProxyAgent`, one with interceptors composed in.
   * The transport sends through it but does not close it: its owner does. It cannot be combined
   * with `connections`, `connectTimeout`, `keepAliveTimeout`, `pipelining` or `tls`, which
   * configure the dispatcher the transport would otherwise build.
   * @default an `Agent` built from the options above
   */
  dispatcher?: Dispatcher;
}

/** The options with defaults applied: the one place defaults live. */
export interface NormalizedUndiciOptions {
  readonly connections: number;
  readonly connectTimeout: number;
  readonly readTimeout: number;
  readonly keepAliveTimeout: number;
  readonly closeTimeout: number;
  readonly maxResponseSize: number;
  readonly pipelining: number;
  readonly tls: UndiciTlsOptions | undefined;
  readonly dispatcher: Dispatcher | undefined;
}

const FILE = 'undiciTransport() options';
const read = optionReader(FILE, { wording: 'code' });
const AGENT_OPTIONS = ['connections', 'connectTimeout', 'keepAliveTimeout', 'pipelining', 'tls'] as const;

function isPem(value: unknown): boolean {
  return typeof value === 'string' || Buffer.isBuffer(value);
}

function checkPem(tls: UndiciTlsOptions, key: 'ca' | 'cert' | 'key') {
  const value = tls[key];
  if (value === undefined || isPem(value) || (Array.isArray(value) && value.every(isPem))) return;
  // Never echo the value: `key` is a private key.
  throw new ConfigError({
    file: FILE,
    keyPath: `tls.${key}`,
    expected: 'a PEM string or Buffer, or an array of them',
    found: Array.isArray(value) ? 'an array with other items' : `a ${typeof value}`,
  });
}

function normalizeTls(tls: unknown): UndiciTlsOptions | undefined {
  if (tls === undefined) return undefined;
  if (typeof tls !== 'object' || tls === null || Array.isArray(tls)) {
    throw read.error('tls', 'an object', tls);
  }
  const options = tls as UndiciTlsOptions;
  checkPem(options, 'ca');
  checkPem(options, 'cert');
  checkPem(options, 'key');
  read.boolean(options.rejectUnauthorized, 'tls.rejectUnauthorized');
  read.string(options.servername, 'tls.servername');
  return options;
}

/** Validates the options and applies the defaults. Throws `ConfigError` naming the bad option. */
export function normalizeOptions(options: UndiciTransportOptions = {}): NormalizedUndiciOptions {
  if (typeof options !== 'object' || options === null) {
    throw read.error('', 'an options object', options);
  }
  const dispatcher = options.dispatcher;
  if (dispatcher !== undefined) {
    if (
      typeof dispatcher !== 'object' ||
      dispatcher === null ||
      typeof dispatcher.dispatch !== 'function' ||
      typeof dispatcher.compose !== 'function'
    ) {
      throw read.error(
        'dispatcher',
        'an undici Dispatcher (Agent, Pool, ...) with dispatch() and compose()',
        dispatcher,
      );
    }
    const clash = AGENT_OPTIONS.find((key) => options[key] !== undefined);
    if (clash) {
      throw new ConfigError({
        file: FILE,
        keyPath: clash,
        expected: 'no value when `dispatcher` is set',
        found: clash === 'tls' ? 'an object' : read.describe(options[clash]),
        hint: 'configure your own dispatcher instead',
      });
    }
  }
  return {
    connections: read.positiveInteger(options.connections, 'connections', 100),
    connectTimeout: read.milliseconds(options.connectTimeout, 'connectTimeout', 6000),
    readTimeout: read.milliseconds(options.readTimeout, 'readTimeout', 6000),
    keepAliveTimeout: read.milliseconds(options.keepAliveTimeout, 'keepAliveTimeout', 4000),
    closeTimeout: read.milliseconds(options.closeTimeout, 'closeTimeout', 10_000),
    maxResponseSize: read.positiveInteger(
      options.maxResponseSize,
      'maxResponseSize',
      DEFAULT_MAX_RESPONSE_SIZE,
    ),
    pipelining: read.positiveInteger(options.pipelining, 'pipelining', 1),
    tls: normalizeTls(options.tls),
    dispatcher,
  };
}
