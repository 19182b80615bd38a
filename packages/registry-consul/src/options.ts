import { consoleLogger, type Logger } from '@service-caller/core';
import { optionReader } from '@service-caller/core/adapter';

/**
 * Options of {@link consulRegistry}. The keys of the `app-registry.consul` YAML section, in
 * camelCase, fit here as they are; times are in seconds, as in the YAML.
 *
 * @example
 * ```ts
 * const registry = consulRegistry({
 *   host: 'consul.internal', port: 8501, secure: true, ca: readFileSync('consul-ca.pem'),
 *   token: process.env.CONSUL_HTTP_TOKEN, datacenter: 'eu-1',
 *   tags: ['v2'], meta: { zone: 'a' }, check: { type: 'ttl', interval: 10 },
 * });
 * ```
 */
export interface ConsulRegistryOptions {
  /** Host of the Consul agent's HTTP API. @default '127.0.0.1' */
  host?: string;
  /** Port of the Consul agent's HTTP API (not this service's port: that is `servicePort`). @default 8500 */
  port?: number;
  /** Talk to the agent over https. @default false */
  secure?: boolean;
  /** CA certificate(s), PEM, that the agent's https certificate must chain to. @default Node's CA store */
  ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  /**
   * ACL token, sent in the `X-Consul-Token` header. Secret: never logged, never in an error.
   * An empty string means no token (the agent then uses its anonymous token).
   * @default none
   */
  token?: string;
  /** Datacenter to discover services in. @default the agent's own datacenter */
  datacenter?: string;
  /** Consul Enterprise namespace for registration and discovery. @default the token's, else `default` */
  namespace?: string;
  /** Consul Enterprise admin partition for registration and discovery. @default the agent's */
  partition?: string;
  /** Discover only instances that carry this tag. @default no tag filter */
  discoveryTag?: string;
  /** This service's name (`app-name`). Read by the facade, which registers this service with it. */
  appName?: string;
  /** This service's own address (`ip`). Read by the facade, which registers this service with it. */
  ip?: string;
  /** This service's own port (`service-port`). Read by the facade, which registers this service with it. */
  servicePort?: number;
  /** Tags registered with every instance this registry registers. @default [] */
  tags?: readonly string[];
  /** Metadata registered with every instance (`Meta`); an instance's own metadata wins. @default {} */
  meta?: Readonly<Record<string, string>>;
  /** Weight of registered instances when the registration sets none. @default 1 */
  weight?: number;
  /** The health check registered with every instance. @default a TTL check of 10 seconds */
  check?: ConsulCheckOptions;
  /**
   * Longest time, in seconds, a blocking query waits for a change before asking again (Consul's
   * `wait`, at most 600). A change is seen as soon as Consul reports it, whatever this is.
   * @default 30
   */
  wait?: number;
  /** Time limit, in seconds, of each non-blocking request to the agent. @default 10 */
  timeout?: number;
  /** Where warnings (Consul unreachable, heartbeat failures) go. @default consoleLogger('warn') */
  logger?: Logger;
}

/** The health check registered with each instance. */
export interface ConsulCheckOptions {
  /**
   * `ttl`: the registry passes the check itself every third of `interval`, so an instance whose
   * process died turns critical after one TTL. `http`: Consul GETs `path` on the instance.
   * @default 'ttl'
   */
  type?: 'ttl' | 'http';
  /** Seconds: the TTL, or the HTTP check interval. @default 10 */
  interval?: number;
  /** Path the HTTP check requests on the instance. @default '/health' */
  path?: string;
  /** Seconds a check may stay critical before Consul deregisters the instance (at least 60 in Consul). @default 60 */
  deregisterCriticalAfter?: number;
}

/** Options with their defaults applied and every value checked, times in milliseconds. */
export interface NormalizedOptions {
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
  readonly ca: string | Buffer | ReadonlyArray<string | Buffer> | undefined;
  readonly token: string | undefined;
  readonly datacenter: string | undefined;
  readonly namespace: string | undefined;
  readonly partition: string | undefined;
  readonly discoveryTag: string | undefined;
  readonly tags: readonly string[];
  readonly meta: Readonly<Record<string, string>>;
  readonly weight: number;
  readonly check: {
    readonly type: 'ttl' | 'http';
    readonly intervalMs: number;
    readonly path: string;
    readonly deregisterCriticalAfterMs: number;
  };
  readonly waitMs: number;
  readonly timeoutMs: number;
  readonly logger: Logger;
  /** `http(s)://host:port`, for messages. */
  readonly agentUrl: string;
}

const FILE = '<consulRegistry options>';
const read = optionReader(FILE, { keyPrefix: 'app-registry.consul' });
// `logger` is set in code only, so it has no YAML key path.
const readCodeOnly = optionReader(FILE);

/** Applies defaults and checks every option; throws `ConfigError` naming the key at fault. */
export function normalizeOptions(options: ConsulRegistryOptions = {}): NormalizedOptions {
  if (typeof options !== 'object' || options === null) throw read.error('', 'an object', options);
  const host = read.string(options.host, 'host', '127.0.0.1');
  const port = read.port(options.port, 'port', 8500);
  const secure = read.boolean(options.secure, 'secure', false);
  // `token: "${CONSUL_TOKEN:}"` with the variable unset expands to '': no token, the anonymous one.
  const token = read.secret(options.token, 'token') || undefined;
  const ca = options.ca;
  if (ca !== undefined && !isPem(ca) && !(Array.isArray(ca) && ca.every(isPem))) {
    throw read.error('ca', 'a PEM string or Buffer, or an array of them', ca);
  }
  read.port(options.servicePort, 'service-port');
  read.string(options.appName, 'app-name');
  read.string(options.ip, 'ip');

  const tags = options.tags ?? [];
  if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string' && t !== '')) {
    throw read.error('tags', 'a list of non-empty strings', tags);
  }
  const meta = options.meta ?? {};
  if (
    typeof meta !== 'object' ||
    meta === null ||
    Array.isArray(meta) ||
    !Object.values(meta).every((v) => typeof v === 'string')
  ) {
    throw read.error('meta', 'a map of strings to strings', meta);
  }
  const weight = options.weight ?? 1;
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
    throw read.error('weight', 'a finite number >= 0', weight);
  }

  const check = options.check ?? {};
  if (typeof check !== 'object' || check === null) throw read.error('check', 'an object', check);
  const type = read.oneOf(check.type ?? 'ttl', 'check.type', ['ttl', 'http']);
  const path = check.path ?? '/health';
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw read.error('check.path', "a path starting with '/'", path);
  }

  const wait = read.seconds(options.wait, 'wait', 30);
  if (wait > 600) throw read.error('wait', 'at most 600 seconds (Consul caps wait at 10 minutes)', wait);
  const logger = options.logger ?? consoleLogger('warn');
  if (typeof logger.warn !== 'function' || typeof logger.debug !== 'function') {
    throw readCodeOnly.error('logger', 'an object with debug, info, warn and error methods', logger);
  }

  return {
    host,
    port,
    secure,
    ca,
    token,
    datacenter: read.string(options.datacenter, 'datacenter'),
    namespace: read.string(options.namespace, 'namespace'),
    partition: read.string(options.partition, 'partition'),
    discoveryTag: read.string(options.discoveryTag, 'discovery-tag'),
    tags: [...tags],
    meta: { ...meta },
    weight,
    check: {
      type,
      intervalMs: read.seconds(check.interval, 'check.interval', 10) * 1000,
      path,
      deregisterCriticalAfterMs:
        read.seconds(check.deregisterCriticalAfter, 'check.deregister-critical-after', 60) * 1000,
    },
    waitMs: wait * 1000,
    timeoutMs: read.seconds(options.timeout, 'timeout', 10) * 1000,
    logger,
    agentUrl: `${secure ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`,
  };
}

function isPem(value: unknown): boolean {
  return typeof value === 'string' || Buffer.isBuffer(value);
}
