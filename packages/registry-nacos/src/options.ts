import { consoleLogger, type Logger } from '@service-caller/core';
import { optionReader } from '@service-caller/core/adapter';
import type { NacosNamingClientLike } from './official-client.js';

/** What `register` does when Nacos cannot be reached: reject, or go on and register in the background. */
export type NacosRegistrationMode = 'fail-fast' | 'background';

/** Which Nacos protocol the built-in client speaks: HTTP v1, HTTP v3 or gRPC. */
export type NacosApiVersion = 'auto' | 'v1' | 'v3' | 'grpc';

/** TLS for the gRPC connection: the certificates in PEM (a file's contents, not its path). */
export interface NacosGrpcTls {
  /** The CA that signed the server's certificate. @default the system's roots */
  readonly ca?: string | Uint8Array;
  /** This client's certificate, for a server that asks for one (mutual TLS). */
  readonly cert?: string | Uint8Array;
  /** This client's private key, with `cert`. A secret: never in an error or a log line. */
  readonly key?: string | Uint8Array;
}

/** When an empty list is not believed (core's `EmptyListProtection`). */
export type NacosEmptyListProtection = 'off' | 'after-outage' | 'always';

/**
 * Options of {@link nacosRegistry}. The keys of the `app-registry.nacos` YAML section, in
 * camelCase, fit here as they are (times in seconds, as in the YAML); `refreshInterval` and
 * `requestTimeout` are in milliseconds and set in code only.
 *
 * @example
 * ```ts
 * const registry = nacosRegistry({
 *   serverAddr: '10.0.0.5:8848,10.0.0.6:8848',
 *   namespace: 'dev',
 *   username: 'nacos',
 *   password: process.env.NACOS_PASSWORD,
 * });
 * ```
 */
export interface NacosRegistryOptions {
  /** `server-addr`: `host:port`, or several separated by commas; no scheme (see `secure`). A missing port is 8848. */
  serverAddr: string;
  /** Namespace id for registration and discovery. @default 'public' */
  namespace?: string;
  /**
   * Cluster that registered instances join (`DEFAULT` when unset). When set, also the only
   * cluster discovery lists; unset, discovery lists every cluster, as the Python library does.
   */
  cluster?: string;
  /** Group for registration and discovery. @default 'DEFAULT_GROUP' */
  group?: string;
  /** This service's own address (`ip`). Read by the facade, which registers this service with it. */
  ip?: string;
  /** This service's own port (`port`). Read by the facade, which registers this service with it. */
  port?: number;
  /** This service's name (`app-name`). Read by the facade, which registers this service with it. */
  appName?: string;
  /** User to log in as; with `password`, the client logs in and sends an access token. */
  username?: string;
  /** Secret: sent only in the body of the login request, never in a URL, an error or a log line. */
  password?: string;
  /** Weight of registered instances when the registration sets none. @default 1 */
  weight?: number;
  /** Metadata registered with every instance; an instance's own metadata wins. @default {} */
  metadata?: Readonly<Record<string, string>>;
  /** Register ephemeral instances (kept alive by heartbeats) or persistent ones. @default true */
  ephemeral?: boolean;
  /** Talk to Nacos over https. @default false */
  secure?: boolean;
  /**
   * Seconds between heartbeats of ephemeral instances until the server names its own interval
   * (the v1 beat answer's `clientBeatInterval`, which then wins). @default 5
   */
  heartbeatInterval?: number;
  /**
   * `v1` (Nacos 1.x/2.x Open API), `v3` (Nacos 3.x client API), `grpc` (the 2.x/3.x client
   * protocol: no heartbeats, lists pushed by the server), or `auto`: gRPC when the server's gRPC
   * port answers, else v3 or v1 as the server speaks them. @default 'auto'
   */
  apiVersion?: NacosApiVersion;
  /**
   * gRPC only: the gRPC port is each server's HTTP port plus this (Nacos' own default; a server
   * started with another `nacos.server.grpc.port.offset` or r-nacos's `RNACOS_GRPC_PORT` differs).
   * @default 1000
   */
  grpcPortOffset?: number;
  /** gRPC only: TLS for the gRPC connection; `true` uses the system's roots. @default false */
  grpcTls?: boolean | NacosGrpcTls;
  /**
   * When an empty list (polled or pushed) is not believed while instances are cached:
   * `after-outage`: during an outage, or after a server restart or a gRPC reconnection seen,
   * and for 15 s after it (when a server without its state answers empty); `always`: never
   * once the service had instances (the official Go and Rust clients' push-empty protection; a
   * service whose last instance left keeps being listed); `off`: always believed.
   * @default 'after-outage'
   */
  emptyListProtection?: NacosEmptyListProtection;
  /**
   * What `register` does when Nacos cannot be reached (or answers with a server error):
   * `fail-fast` rejects; `background` resolves and keeps trying with back-off (1 s doubling to
   * 30 s), logging once, as the Python library does at start-up. A refused login fails either way.
   * @default 'fail-fast'
   */
  registration?: NacosRegistrationMode;
  /** Milliseconds between background refreshes of each service that was looked up. @default 5000 */
  refreshInterval?: number;
  /** Time limit of each request to Nacos, in milliseconds. @default 5000 */
  requestTimeout?: number;
  /**
   * An official `NacosNamingClient` (npm package `nacos`) to use instead of the built-in client.
   * It keeps its own connection settings (server list, namespace, credentials) and heartbeats; the
   * registry never closes it. Note that it sends the username and password as query parameters.
   */
  client?: NacosNamingClientLike;
  /** Where warnings go (Nacos unreachable, heartbeat failures). @default console, warnings and errors only */
  logger?: Logger;
}

/** One Nacos server address. */
export interface NacosServer {
  readonly host: string;
  readonly port: number;
  /** `http(s)://host:port`, the origin requests go to. */
  readonly origin: string;
}

/** Options with their defaults applied and every value checked, times in milliseconds. */
export interface NormalizedOptions {
  readonly servers: readonly NacosServer[];
  readonly namespace: string;
  /** The cluster registered instances join. */
  readonly cluster: string;
  /** The cluster discovery lists; `undefined`: every cluster. */
  readonly listCluster: string | undefined;
  readonly group: string;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly weight: number;
  readonly metadata: Readonly<Record<string, string>>;
  readonly ephemeral: boolean;
  readonly secure: boolean;
  readonly heartbeatIntervalMs: number;
  readonly apiVersion: NacosApiVersion;
  readonly grpcPortOffset: number;
  readonly grpcTls: NacosGrpcTls | undefined;
  /** `undefined`: `after-outage`. */
  readonly emptyListProtection: NacosEmptyListProtection | undefined;
  /**
   * How long after an outage, a restart or a member back an empty list is not believed:
   * {@link EMPTY_LIST_HOLD_MS}. Not an option of `nacosRegistry` (the README gives the reason for
   * the figure); the tests shorten it.
   */
  readonly emptyListHoldMs: number;
  readonly registration: NacosRegistrationMode;
  readonly refreshIntervalMs: number;
  readonly requestTimeoutMs: number;
  readonly client: NacosNamingClientLike | undefined;
  readonly logger: Logger;
}

/** 15 s: a restarted Nacos answers empty lists until its clients have registered again (their next heartbeat or reconnection). */
export const EMPTY_LIST_HOLD_MS = 15_000;

const FILE = '<nacosRegistry options>';
// Nacos reads a blank name as a missing one, so a blank string is refused like an empty one.
const read = optionReader(FILE, { keyPrefix: 'app-registry.nacos', rejectBlankStrings: true });
// Options set in code only have no YAML key path; their messages keep the wording of the rest.
const readCodeOnly = optionReader(FILE);
const DEFAULT_PORT = 8848;
const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
// Letters, digits, dots, dashes and underscores: a host name or an IPv4 address.
const HOST_NAME = /^[A-Za-z0-9_.-]+$/;

/** Applies defaults and checks every option; throws `ConfigError` naming the key at fault. */
export function normalizeOptions(options: NacosRegistryOptions): NormalizedOptions {
  if (typeof options !== 'object' || options === null) {
    throw read.error('', 'an options object', options);
  }
  const secure = read.boolean(options.secure, 'secure', false);
  const client = options.client;
  if (client !== undefined && !isNamingClient(client)) {
    throw readCodeOnly.error(
      'client',
      'a NacosNamingClient (with registerInstance, deregisterInstance and getAllInstances)',
      client,
    );
  }
  // With a client of its own, the server list is the client's business.
  const servers =
    client === undefined || options.serverAddr !== undefined
      ? parseServerAddr(options.serverAddr, secure)
      : [];

  const username = read.string(options.username, 'username');
  const password = read.secret(options.password, 'password');
  // An empty password is what `${NACOS_PASSWORD:}` gives when the variable is unset: no login.
  const hasPassword = password !== undefined && password !== '';
  if (hasPassword && username === undefined) {
    throw read.error('username', 'a user name to log in with, since a password is set', username);
  }

  read.port(options.port, 'port');
  read.string(options.ip, 'ip');
  read.string(options.appName, 'app-name');

  const weight = options.weight ?? 1;
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0 || weight > 10_000) {
    throw read.error('weight', 'a number from 0 to 10000 (the range Nacos accepts)', weight);
  }
  const metadata = options.metadata ?? {};
  if (
    typeof metadata !== 'object' ||
    metadata === null ||
    Array.isArray(metadata) ||
    !Object.values(metadata).every((value) => typeof value === 'string')
  ) {
    throw read.error('metadata', 'a map of strings to strings', metadata);
  }
  const apiVersion = read.oneOf(options.apiVersion ?? 'auto', 'api-version', ['auto', 'v1', 'v3', 'grpc']);
  const grpcPortOffset = options.grpcPortOffset ?? 1000;
  if (
    typeof grpcPortOffset !== 'number' ||
    !Number.isInteger(grpcPortOffset) ||
    Math.abs(grpcPortOffset) > 65534
  ) {
    throw readCodeOnly.error('grpcPortOffset', 'an integer from -65534 to 65534', grpcPortOffset);
  }
  const emptyListProtection =
    options.emptyListProtection === undefined
      ? undefined
      : readCodeOnly.oneOf(options.emptyListProtection, 'emptyListProtection', [
          'off',
          'after-outage',
          'always',
        ]);
  const logger = options.logger ?? consoleLogger('warn');
  if (
    typeof logger !== 'object' ||
    logger === null ||
    !['debug', 'info', 'warn', 'error'].every(
      (m) => typeof (logger as unknown as Record<string, unknown>)[m] === 'function',
    )
  ) {
    throw readCodeOnly.error('logger', 'an object with debug, info, warn and error methods', logger);
  }

  return {
    servers,
    namespace: read.string(options.namespace, 'namespace', 'public'),
    cluster: clusterName(options.cluster) ?? 'DEFAULT',
    listCluster: clusterName(options.cluster),
    group: read.string(options.group, 'group', 'DEFAULT_GROUP'),
    username: hasPassword ? username : undefined,
    password: hasPassword ? password : undefined,
    weight,
    metadata: { ...metadata },
    ephemeral: read.boolean(options.ephemeral, 'ephemeral', true),
    secure,
    heartbeatIntervalMs: read.seconds(options.heartbeatInterval, 'heartbeat-interval', 5) * 1000,
    apiVersion,
    grpcPortOffset,
    grpcTls: grpcTls(options.grpcTls),
    emptyListProtection,
    registration: read.oneOf(options.registration ?? 'fail-fast', 'registration', [
      'fail-fast',
      'background',
    ]),
    refreshIntervalMs: readCodeOnly.milliseconds(options.refreshInterval, 'refreshInterval', 5000),
    requestTimeoutMs: readCodeOnly.milliseconds(options.requestTimeout, 'requestTimeout', 5000),
    emptyListHoldMs: EMPTY_LIST_HOLD_MS,
    client,
    logger,
  };
}

/**
 * Parses `server-addr`: `host:port` entries separated by commas, IPv6 hosts in brackets
 * (`[::1]:8848`), a missing port meaning 8848. Throws `ConfigError` for a scheme, an empty entry
 * or a bad port.
 */
export function parseServerAddr(serverAddr: unknown, secure: boolean): NacosServer[] {
  if (typeof serverAddr !== 'string' || serverAddr.trim() === '') {
    throw read.error('server-addr', "'host:port', or several separated by commas", serverAddr);
  }
  const servers: NacosServer[] = [];
  for (const raw of serverAddr.split(',')) {
    const entry = raw.trim();
    const fail = (expected: string) => read.error('server-addr', expected, entry || serverAddr);
    if (entry === '') throw fail("'host:port' entries without empty ones between commas");
    if (SCHEME.test(entry)) {
      throw fail("'host:port' without a scheme (use the `secure` option for https)");
    }
    let host: string;
    let portText: string | undefined;
    if (entry.startsWith('[')) {
      const end = entry.indexOf(']');
      if (end < 0) throw fail("an IPv6 address in brackets, like '[::1]:8848'");
      host = entry.slice(1, end);
      const rest = entry.slice(end + 1);
      if (rest !== '' && !rest.startsWith(':')) throw fail("'[ipv6]:port'");
      portText = rest === '' ? undefined : rest.slice(1);
      if (host === '' || !/^[0-9A-Fa-f:.]+$/.test(host))
        throw fail("an IPv6 address in brackets, like '[::1]:8848'");
    } else {
      const parts = entry.split(':');
      if (parts.length > 2) throw fail("'host:port' (write an IPv6 address in brackets: '[::1]:8848')");
      host = parts[0]!;
      portText = parts[1];
      if (host === '' || !HOST_NAME.test(host)) throw fail("'host:port' with a host name or IP address");
    }
    if (portText?.includes('/')) throw fail("'host:port' without a path");
    const port = portText === undefined ? DEFAULT_PORT : Number(portText);
    if (portText === '' || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw fail("'host:port' with a port from 1 to 65535");
    }
    const hostPart = host.includes(':') ? `[${host}]` : host;
    servers.push({ host, port, origin: `${secure ? 'https' : 'http'}://${hostPart}:${port}` });
  }
  return servers;
}

function grpcTls(value: unknown): NacosGrpcTls | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return {};
  const isPem = (v: unknown) => v === undefined || typeof v === 'string' || v instanceof Uint8Array;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw readCodeOnly.error('grpcTls', 'true, false or { ca?, cert?, key? } in PEM', value);
  }
  const { ca, cert, key } = value as Record<string, unknown>;
  for (const [name, pem] of [
    ['ca', ca],
    ['cert', cert],
  ] as const) {
    if (!isPem(pem)) throw readCodeOnly.error(`grpcTls.${name}`, 'a PEM string or bytes', pem);
  }
  // The key is a secret: its value is never shown.
  if (!isPem(key)) throw readCodeOnly.error('grpcTls.key', 'a PEM string or bytes', '***');
  if ((cert === undefined) !== (key === undefined)) {
    throw readCodeOnly.error(
      'grpcTls',
      'cert and key together (or neither)',
      cert === undefined ? 'key only' : 'cert only',
    );
  }
  return value as NacosGrpcTls;
}

function clusterName(value: unknown): string | undefined {
  const cluster = read.string(value, 'cluster');
  // Nacos reads a comma as a list of clusters; one instance joins exactly one.
  if (cluster?.includes(',')) throw read.error('cluster', 'one cluster name (no commas)', cluster);
  return cluster;
}

function isNamingClient(value: unknown): value is NacosNamingClientLike {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.registerInstance === 'function' &&
    typeof candidate.deregisterInstance === 'function' &&
    typeof candidate.getAllInstances === 'function'
  );
}
