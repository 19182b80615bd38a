import { ConfigError, consoleLogger, type Logger } from '@service-caller/core';

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
const KEY = 'app-registry.consul';

/** Applies defaults and checks every option; throws `ConfigError` naming the key at fault. */
export function normalizeOptions(options: ConsulRegistryOptions = {}): NormalizedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError({ file: FILE, keyPath: KEY, expected: 'an object', found: describe(options) });
  }
  const host = optionalString(options.host, 'host') ?? '127.0.0.1';
  const port = options.port === undefined ? 8500 : portNumber(options.port, 'port');
  const secure = optionalBoolean(options.secure, 'secure') ?? false;
  if (options.token !== undefined && typeof options.token !== 'string') {
    // Never echo the value: it is meant to be a secret.
    throw new ConfigError({ file: FILE, keyPath: `${KEY}.token`, expected: 'a string', found: '***' });
  }
  // `token: "${CONSUL_TOKEN:}"` with the variable unset expands to '': no token, the anonymous one.
  const token = options.token === '' ? undefined : options.token;
  const ca = options.ca;
  if (ca !== undefined && !isPem(ca) && !(Array.isArray(ca) && ca.every(isPem))) {
    throw new ConfigError({
      file: FILE,
      keyPath: `${KEY}.ca`,
      expected: 'a PEM string or Buffer, or an array of them',
      found: describe(ca),
    });
  }
  if (options.servicePort !== undefined) portNumber(options.servicePort, 'service-port');
  optionalString(options.appName, 'app-name');
  optionalString(options.ip, 'ip');

  const tags = options.tags ?? [];
  if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string' && t !== '')) {
    throw new ConfigError({
      file: FILE,
      keyPath: `${KEY}.tags`,
      expected: 'a list of non-empty strings',
      found: describe(tags),
    });
  }
  const meta = options.meta ?? {};
  if (
    typeof meta !== 'object' ||
    meta === null ||
    Array.isArray(meta) ||
    !Object.values(meta).every((v) => typeof v === 'string')
  ) {
    throw new ConfigError({
      file: FILE,
      keyPath: `${KEY}.meta`,
      expected: 'a map of strings to strings',
      found: describe(meta),
    });
  }
  const weight = options.weight ?? 1;
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
    throw new ConfigError({
      file: FILE,
      keyPath: `${KEY}.weight`,
      expected: 'a finite number >= 0',
      found: describe(weight),
    });
  }

  const check = options.check ?? {};
  if (typeof check !== 'object' || check === null) {
    throw new ConfigError({
      file: FILE,
      keyPath: `${KEY}.check`,
      expected: 'an object',
      found: describe(check),
    });
  }
  const type = check.type ?? 'ttl';
  if (type !== 'ttl' && type !== 'http') {
    throw new ConfigError({
      file: FILE,
      keyPath: `${KEY}.check.type`,
      expected: "'ttl' or 'http'",
      found: describe(type),
    });
  }
  const path = check.path ?? '/health';
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new ConfigError({
      file: FILE,
      keyPath: `${KEY}.check.path`,
      expected: "a path starting with '/'",
      found: describe(path),
    });
  }

  const wait = seconds(options.wait, 'wait', 30);
  if (wait > 600) {
    throw new ConfigError({
      file: FILE,
      keyPath: `${KEY}.wait`,
      expected: 'at most 600 seconds (Consul caps wait at 10 minutes)',
      found: describe(wait),
    });
  }
  const logger = options.logger ?? consoleLogger('warn');
  if (typeof logger.warn !== 'function' || typeof logger.debug !== 'function') {
    throw new ConfigError({
      file: FILE,
      keyPath: 'logger',
      expected: 'an object with debug, info, warn and error methods',
      found: describe(logger),
    });
  }

  return {
    host,
    port,
    secure,
    ca,
    token,
    datacenter: optionalString(options.datacenter, 'datacenter'),
    namespace: optionalString(options.namespace, 'namespace'),
    partition: optionalString(options.partition, 'partition'),
    discoveryTag: optionalString(options.discoveryTag, 'discovery-tag'),
    tags: [...tags],
    meta: { ...meta },
    weight,
    check: {
      type,
      intervalMs: seconds(check.interval, 'check.interval', 10) * 1000,
      path,
      deregisterCriticalAfterMs:
        seconds(check.deregisterCriticalAfter, 'check.deregister-critical-after', 60) * 1000,
    },
    waitMs: wait * 1000,
    timeoutMs: seconds(options.timeout, 'timeout', 10) * 1000,
    logger,
    agentUrl: `${secure ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`,
  };
}

function optionalString(value: unknown, key: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') {
    throw new ConfigError({
      file: FILE,
      keyPath: `${KEY}.${key}`,
      expected: 'a non-empty string',
      found: describe(value),
    });
  }
  return value;
}

function optionalBoolean(value: unknown, key: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') {
    throw new ConfigError({
      file: FILE,
      keyPath: `${KEY}.${key}`,
      expected: 'true or false',
      found: describe(value),
    });
  }
  return value;
}

function portNumber(value: unknown, key: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    throw new ConfigError({
      file: FILE,
      keyPath: `${KEY}.${key}`,
      expected: 'an integer port 1-65535',
      found: describe(value),
    });
  }
  return value;
}

function seconds(value: unknown, key: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ConfigError({
      file: FILE,
      keyPath: `${KEY}.${key}`,
      expected: 'a number of seconds > 0',
      found: describe(value),
    });
  }
  return value;
}

function isPem(value: unknown): boolean {
  return typeof value === 'string' || Buffer.isBuffer(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}
