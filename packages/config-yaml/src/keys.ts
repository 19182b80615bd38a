import {
  DEFAULT_OUTLIER_EJECTION,
  DEFAULT_RETRY,
  DEFAULT_RETRY_BUDGET,
  HTTP_METHODS,
} from '@service-caller/core';
import {
  CONSUL_CHECK_TYPES,
  DEFAULT_TIMEOUT_SECONDS,
  LB_TYPE_ALIASES,
  LB_TYPES,
  MAX_ATTEMPTS,
  MAX_PORT,
  MAX_WEIGHT,
  NACOS_API_VERSIONS,
  NACOS_REGISTRATION_MODES,
  RETRY_FAILURES,
} from './limits.js';

/**
 * The key reference: every key the loader knows, with its YAML (kebab-case) name, the camelCase
 * name of the typed config, and the documentation the README table is rendered from. The loader
 * walks this tree to rename keys, to warn about unknown ones, and to name key paths in errors;
 * the zod schema in `schema.ts` checks the values (a test keeps the two in step).
 */
export type KeyNode =
  /** Fixed keys. */
  | { readonly kind: 'section'; readonly keys: readonly KeyEntry[] }
  /** Keys the user names (service names, metadata keys); `label` stands for them in docs. */
  | { readonly kind: 'map'; readonly label: string; readonly value: KeyNode }
  | { readonly kind: 'list'; readonly item: KeyNode }
  /** A scalar; `text` marks strings, so a number or boolean there gets a "quote it" hint. */
  | { readonly kind: 'value'; readonly text?: boolean };

/** One key of a section. */
export interface KeyEntry {
  /** The YAML name, kebab-case as in the seed: `read-timeout`. */
  readonly name: string;
  /** The name in the typed config and in `parseConfig` input: `readTimeout`. */
  readonly camel: string;
  /** For the docs: `number (s)`, `string`, ... */
  readonly type: string;
  /** For the docs: the default, when the loader fills one in. */
  readonly default?: string;
  /** For the docs: what the key does. */
  readonly meaning: string;
  readonly node: KeyNode;
  /** The accepted values, when they are a fixed list: a wrong one gets "did you mean ...?". */
  readonly choices?: readonly string[];
  /** Extra advice for a rejected value. */
  readonly hint?: (found: unknown) => string | undefined;
  /**
   * Keep an empty string instead of treating it as "not set", because emptiness is itself an
   * error worth reporting (an empty `app-name` while `port` is set).
   */
  readonly keepEmpty?: boolean;
  /** Warn when the key is present but null: `consul:` with nothing under it is probably a slip. */
  readonly warnWhenNull?: boolean;
}

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

function camelCase(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function key(name: string, node: KeyNode, doc: Omit<KeyEntry, 'name' | 'camel' | 'node'>): KeyEntry {
  return { name, camel: camelCase(name), node, ...doc };
}

const text: KeyNode = { kind: 'value', text: true };
const scalar: KeyNode = { kind: 'value' };
const section = (...keys: KeyEntry[]): KeyNode => ({ kind: 'section', keys });
const stringMap = (label: string): KeyNode => ({ kind: 'map', label, value: text });

function hostHint(found: unknown): string | undefined {
  if (typeof found !== 'string') return undefined;
  if (SCHEME.test(found)) return 'remove the scheme http://; give the host alone';
  if (/^[^:]+:\d+$/.test(found)) return 'give the port in its own key, not after the host';
  return undefined;
}

function serverAddrHint(found: unknown): string | undefined {
  if (typeof found !== 'string') return undefined;
  if (/[a-z][a-z0-9+.-]*:\/\//i.test(found)) {
    return 'remove the scheme http://; set secure: true to talk to Nacos over https';
  }
  const missingPort = found
    .split(',')
    .map((part) => part.trim())
    .find((part) => part !== '' && !/:\d+$/.test(part));
  if (missingPort !== undefined) return 'add the port to every address, e.g. 127.0.0.1:8848';
  return undefined;
}

const metadata = (where: string) =>
  key('metadata', stringMap('<key>'), {
    type: 'map of strings',
    meaning: `Free-form key/value pairs ${where}. Values are strings: quote numbers and true/false.`,
  });

const nacos = section(
  key('server-addr', text, {
    type: 'string',
    default: '(required)',
    meaning: 'Nacos server address `host:port`, or several separated by commas. No scheme: use `secure`.',
    hint: serverAddrHint,
  }),
  key('namespace', text, { type: 'string', default: 'public', meaning: 'Nacos namespace (id).' }),
  key('cluster', text, {
    type: 'string',
    default: '(every cluster)',
    meaning:
      "This instance's cluster (`DEFAULT` when unset); when set, also the only cluster discovery lists.",
  }),
  key('group', text, { type: 'string', default: 'DEFAULT_GROUP', meaning: 'Nacos group of the services.' }),
  key('ip', text, {
    type: 'string',
    default: '(detected)',
    meaning: "This service's own address, registered on start. Detected when absent.",
    hint: hostHint,
  }),
  key('port', scalar, {
    type: `integer 1-${MAX_PORT}`,
    meaning:
      "This service's own port. This service registers itself only when `app-name` and `port` are set.",
  }),
  key('app-name', text, {
    type: 'string',
    meaning: "This service's name in Nacos. Must not be empty when `ip` or `port` is set.",
    keepEmpty: true,
  }),
  key('username', text, { type: 'string', meaning: 'Nacos user, when the server has auth enabled.' }),
  key('password', text, { type: 'string (secret)', meaning: "The Nacos user's password. Never printed." }),
  key('access-key', text, {
    type: 'string (secret)',
    meaning: 'Access key for Alibaba Cloud MSE (as in the seed). Never printed.',
  }),
  key('secret-key', text, {
    type: 'string (secret)',
    meaning: 'Secret key for Alibaba Cloud MSE (as in the seed). Never printed.',
  }),
  key('weight', scalar, {
    type: `number 0-${MAX_WEIGHT}`,
    default: '1',
    meaning: "This instance's weight for the weighted balancers.",
  }),
  metadata('registered with this instance'),
  key('ephemeral', scalar, {
    type: 'boolean',
    default: 'true',
    meaning: 'Register an ephemeral instance (kept alive by heartbeats) rather than a persistent one.',
  }),
  key('secure', scalar, { type: 'boolean', default: 'false', meaning: 'Talk to Nacos over https.' }),
  key('heartbeat-interval', scalar, {
    type: 'seconds (number > 0)',
    default: '5',
    meaning: 'Seconds between heartbeats (Nacos v1 API).',
  }),
  key('api-version', text, {
    type: NACOS_API_VERSIONS.join(' \\| '),
    default: 'auto',
    meaning: 'Nacos protocol to use (HTTP v1, HTTP v3, gRPC); `auto` detects it.',
    choices: NACOS_API_VERSIONS,
  }),
  key('registration', text, {
    type: NACOS_REGISTRATION_MODES.join(' \\| '),
    default: 'fail-fast',
    meaning:
      'When Nacos cannot be reached at start: `fail-fast` fails start-up; `background` starts anyway and registers with back-off.',
    choices: NACOS_REGISTRATION_MODES,
  }),
);

const consul = section(
  key('host', text, { type: 'string', default: '127.0.0.1', meaning: 'Consul agent host.', hint: hostHint }),
  key('port', scalar, { type: `integer 1-${MAX_PORT}`, default: '8500', meaning: 'Consul agent HTTP port.' }),
  key('secure', scalar, { type: 'boolean', default: 'false', meaning: 'Talk to the agent over https.' }),
  key('token', text, { type: 'string (secret)', meaning: 'ACL token. Never printed.' }),
  key('datacenter', text, { type: 'string', default: "(the agent's)", meaning: 'Datacenter to query.' }),
  key('app-name', text, {
    type: 'string',
    meaning: "This service's name in Consul. Must not be empty when `ip` or `service-port` is set.",
    keepEmpty: true,
  }),
  key('ip', text, {
    type: 'string',
    default: '(detected)',
    meaning: "This service's own address, registered on start.",
    hint: hostHint,
  }),
  key('service-port', scalar, {
    type: `integer 1-${MAX_PORT}`,
    meaning:
      "This service's own port (`port` is the agent's). Registers only when `app-name` and `service-port` are set.",
  }),
  key(
    'tags',
    { kind: 'list', item: text },
    { type: 'list of strings', meaning: 'Tags registered with this instance.' },
  ),
  key('meta', stringMap('<key>'), {
    type: 'map of strings',
    meaning: 'Metadata registered with this instance. Values are strings: quote numbers and true/false.',
  }),
  key('weight', scalar, {
    type: `integer 1-${MAX_PORT}`,
    default: '1',
    meaning: "This instance's weight (`Weights.Passing`).",
  }),
  key(
    'check',
    section(
      key('type', text, {
        type: CONSUL_CHECK_TYPES.join(' \\| '),
        default: 'ttl',
        meaning: 'Health check: a TTL this process keeps passing, or an HTTP check the agent runs.',
        choices: CONSUL_CHECK_TYPES,
      }),
      key('interval', scalar, {
        type: 'seconds (number > 0)',
        default: '10',
        meaning: 'The TTL, or the interval of the HTTP check.',
      }),
      key('path', text, {
        type: 'string',
        default: '/health',
        meaning: "Path the HTTP check requests on this service (type `http` only); starts with '/'.",
      }),
      key('deregister-critical-after', scalar, {
        type: 'seconds (number > 0)',
        default: '60',
        meaning: 'Consul deregisters an instance that stays critical this long.',
      }),
    ),
    { type: 'map', meaning: 'How Consul checks this instance.' },
  ),
);

const staticInstance = section(
  key('host', text, {
    type: 'string',
    default: '(required)',
    meaning: 'Host name or IP address.',
    hint: hostHint,
  }),
  key('port', scalar, { type: `integer 1-${MAX_PORT}`, default: '(required)', meaning: 'TCP port.' }),
  key('weight', scalar, {
    type: `number 0-${MAX_WEIGHT}`,
    default: '1',
    meaning: 'Weight for the weighted balancers.',
  }),
  key('secure', scalar, {
    type: 'boolean',
    default: 'false',
    meaning: 'The instance serves https; a call that sets `protocol` overrides it.',
  }),
  metadata('of this instance'),
);

const nacosConfigSource = section(
  key('server-addr', text, {
    type: 'string',
    default: '(required)',
    meaning: 'Nacos server address `host:port`, or several separated by commas. No scheme: use `secure`.',
    hint: serverAddrHint,
  }),
  key('namespace', text, {
    type: 'string',
    default: 'public',
    meaning: 'Nacos namespace (id) of the imports.',
  }),
  key('group', text, { type: 'string', default: 'DEFAULT_GROUP', meaning: 'Nacos group of the imports.' }),
  key('username', text, { type: 'string', meaning: 'Nacos user, when the server has auth enabled.' }),
  key('password', text, { type: 'string (secret)', meaning: "The Nacos user's password. Never printed." }),
  key('access-key', text, {
    type: 'string (secret)',
    meaning:
      'Access key: config requests are signed with `secret-key` as the official Nacos clients sign them. Never printed.',
  }),
  key('secret-key', text, {
    type: 'string (secret)',
    meaning: 'Secret key that signs config requests (HMAC-SHA1); set it with `access-key`. Never printed.',
  }),
  key('endpoint', text, {
    type: 'string',
    meaning: 'Refused: an address server (ACM endpoint) is not supported; list the servers in `server-addr`.',
  }),
  key('auto-refresh', scalar, {
    type: 'boolean',
    default: 'true',
    meaning: 'Watch the imports and update the merged config when one changes.',
  }),
  key(
    'imports',
    {
      kind: 'list',
      item: section(
        key('data-id', text, {
          type: 'string',
          default: '(required)',
          meaning: 'A YAML data id (`gateway.yaml`).',
        }),
      ),
    },
    {
      type: 'list of maps',
      default: '[]',
      meaning: 'The data ids to merge over the local files, later over earlier.',
    },
  ),
  key('secure', scalar, { type: 'boolean', default: 'false', meaning: 'Talk to Nacos over https.' }),
  key('start-timeout', scalar, {
    type: 'seconds (number > 0)',
    default: '10',
    meaning:
      'How long the first fetch may take when Nacos is down before the load fails (or uses `cache-dir`).',
  }),
  key('cache-dir', text, {
    type: 'string',
    meaning: 'Folder for a snapshot of the imports; used, with a warning, when Nacos is down at start.',
  }),
);

const seconds = (ms: number) => String(ms / 1000);

const retryKeys = section(
  key('attempts', scalar, {
    type: `integer 1-${MAX_ATTEMPTS}`,
    default: String(DEFAULT_RETRY.attempts),
    meaning: 'Attempts in all, the first included; `1` turns retries off.',
  }),
  key(
    'backoff',
    section(
      key('base', scalar, {
        type: 'seconds (number >= 0)',
        default: seconds(DEFAULT_RETRY.backoff.base!),
        meaning:
          'The first retry waits a random time up to this (full jitter); each next one up to twice as long.',
      }),
      key('max', scalar, {
        type: 'seconds (number >= 0)',
        default: seconds(DEFAULT_RETRY.backoff.max!),
        meaning: 'No wait before a retry is longer.',
      }),
    ),
    { type: 'map', meaning: 'Exponential back-off with full jitter between attempts.' },
  ),
  key(
    'retry-on',
    { kind: 'list', item: scalar },
    {
      type: `list of ${RETRY_FAILURES.join(', ')} and statuses 400-599`,
      default: DEFAULT_RETRY.retryOn.join(', '),
      meaning:
        '`connect-failure`: no connection (never sent); `reset`: broken before the answer; `timeout`: `per-try-timeout` or `read-timeout`; a status: that answer (429 and 503 wait their `Retry-After`).',
    },
  ),
  key(
    'methods',
    { kind: 'list', item: text },
    {
      type: `list of ${HTTP_METHODS.join(', ')}`,
      default: DEFAULT_RETRY.methods.join(', '),
      meaning:
        'The methods retried (and hedged): the idempotent ones, since a retried POST may be processed twice.',
    },
  ),
  key('retry-after-max', scalar, {
    type: 'seconds (number >= 0)',
    default: seconds(DEFAULT_RETRY.retryAfterMax),
    meaning: 'The longest `Retry-After` honoured; an answer asking for longer is not retried.',
  }),
);

const retryBudgetKeys = section(
  key('enabled', scalar, { type: 'boolean', default: 'true', meaning: '`false`: retries are not budgeted.' }),
  key('percent', scalar, {
    type: 'number 0-100',
    default: String(DEFAULT_RETRY_BUDGET.percent),
    meaning: 'Retries as a share of the calls of the last 10 seconds.',
  }),
  key('min-per-second', scalar, {
    type: 'number >= 0',
    default: String(DEFAULT_RETRY_BUDGET.minPerSecond),
    meaning: 'Retries allowed each second whatever the share, for services with few calls.',
  }),
);

const outlierEjectionKeys = section(
  key('enabled', scalar, {
    type: 'boolean',
    default: 'true',
    meaning: '`false`: no instance is ever ejected.',
  }),
  key('consecutive-failures', scalar, {
    type: 'integer >= 1',
    default: String(DEFAULT_OUTLIER_EJECTION.consecutiveFailures),
    meaning: 'Failures in a row that eject an instance.',
  }),
  key('eject-on-connect-failure', scalar, {
    type: 'boolean',
    default: String(DEFAULT_OUTLIER_EJECTION.ejectOnConnectFailure),
    meaning: 'A refused connection (nothing listens) ejects at once.',
  }),
  key('base-ejection-time', scalar, {
    type: 'seconds (number > 0)',
    default: seconds(DEFAULT_OUTLIER_EJECTION.baseEjectionTime),
    meaning: "The first ejection's length; the n-th lasts n times as long.",
  }),
  key('max-ejection-time', scalar, {
    type: 'seconds (number > 0)',
    default: seconds(DEFAULT_OUTLIER_EJECTION.maxEjectionTime),
    meaning: 'No ejection lasts longer.',
  }),
  key('max-ejection-percent', scalar, {
    type: 'number 0-100',
    default: String(DEFAULT_OUTLIER_EJECTION.maxEjectionPercent),
    meaning:
      'The largest share of a service ejected at once (one may always go); when all would be out, all are used.',
  }),
);

const zoneAffinityKeys = section(
  key('zone', text, {
    type: 'string',
    default: "(this service's own metadata)",
    meaning:
      "This service's zone: by default its own `metadata[metadata-key]` (`app-registry.nacos.metadata`, `app-registry.consul.meta`).",
  }),
  key('metadata-key', text, {
    type: 'string',
    default: 'zone',
    meaning: "The instances' metadata key that names their zone.",
  }),
  key('min-instances', scalar, {
    type: `integer 1-${MAX_PORT}`,
    default: '1',
    meaning: 'Healthy instances the zone needs for calls to stay in it.',
  }),
);

const consistentHashKeys = section(
  key('header', text, { type: 'string', meaning: "The request header whose value is a call's key." }),
  key('query', text, { type: 'string', meaning: "The query parameter whose value is a call's key." }),
  key('points-per-instance', scalar, {
    type: 'integer 1-10000',
    default: '160',
    meaning: 'Points on the ring per instance of average weight; more spread the keys more evenly.',
  }),
);

/** The root of the key reference. */
export const ROOT_KEYS: KeyNode = section(
  key('profile', text, {
    type: 'string',
    meaning:
      'The profile when neither the `profile` option nor `APP_PROFILE` / `SPRING_PROFILES_ACTIVE` names one (read in `application.yaml` only).',
  }),
  key('extend-profiles', scalar, {
    type: 'string (comma-separated) or list of strings',
    meaning:
      'More files merged over the base and profile files, later over earlier: a name means `application-{name}.yaml`, `file:/path/x.yaml` a file.',
  }),
  key(
    'service-caller',
    section(
      key('lb-type', text, {
        type: LB_TYPES.join(' \\| '),
        default: 'round_robin',
        meaning:
          "Load balancer that picks an instance for each call: built-in, or a name a package registered (checked when the manager is built). `weighted_random` and `weighted_round_robin` (the Python library's spellings) mean `weight_random` and `weight_round_robin`.",
        // For the "did you mean" of a name refused by its form.
        choices: [...LB_TYPES, ...Object.keys(LB_TYPE_ALIASES)],
      }),
      key('connection-timeout', scalar, {
        type: 'seconds (number > 0)',
        default: '6',
        meaning: 'Seconds to wait for a connection to an instance.',
      }),
      key('read-timeout', scalar, {
        type: 'seconds (number > 0)',
        default: '6',
        meaning: 'Seconds to wait for response data (headers, then each part of the body).',
      }),
      key('timeout', scalar, {
        type: 'seconds (number > 0)',
        default: String(DEFAULT_TIMEOUT_SECONDS),
        meaning:
          'Seconds a call may take in all (discovery, every attempt and wait, the whole body, a raw body too) unless it sets `timeout`: `TimeoutError` phase `total`. `read-timeout` bounds only each silence, so a body trickling forever needs this. Set it high (up to 2147483) for long streams.',
      }),
      key('close-timeout', scalar, {
        type: 'seconds (number > 0)',
        default: '10',
        meaning:
          "Seconds `close()` waits for the calls in flight (queued ones included) to end; then every one left fails with `ClosedError` and the connections are closed (the transport's own close bound follows).",
      }),
      key('connection-pool-size', scalar, {
        type: `integer 1-${MAX_PORT}`,
        default: '100',
        meaning: 'Maximum open connections per instance (origin).',
      }),
      key('max-response-size', scalar, {
        type: 'integer (bytes) > 0',
        default: '67108864',
        meaning:
          'Largest response body in bytes, read whole or streamed; a larger one fails and its connection is closed.',
      }),
      key('throw-http-errors', scalar, {
        type: 'boolean',
        default: 'true',
        meaning:
          "A non-2xx answer throws `HttpStatusError`; `false` resolves it with its parsed body (the Python library's behaviour) unless a call sets `throwHttpErrors`.",
      }),
      key('strict-options', scalar, {
        type: 'boolean',
        default: 'false',
        meaning:
          "A call option the engine does not know (`params`, `data`: the Python library's names; a typo such as `timout`) fails the call with `InvalidRequestError`; `false` logs one warning per key naming the right one and sends the call without it.",
      }),
      key('retry', retryKeys, {
        type: 'map',
        meaning:
          'When a call is tried again, on another instance when one exists. Calls and declarative endpoints override it key by key (`retry` in code, milliseconds there).',
      }),
      key('retry-budget', retryBudgetKeys, {
        type: 'map',
        meaning:
          "Each service's retry budget: retries (and hedges) at most `percent` of the last 10 s of calls plus `min-per-second`.",
      }),
      key('per-try-timeout', scalar, {
        type: 'seconds (number > 0)',
        default: '(none)',
        meaning:
          'Seconds one attempt may take (a raw call: until its headers); a stalled instance then costs this much before the next attempt. `timeout` bounds all attempts together.',
      }),
      key('hedge-delay', scalar, {
        type: 'seconds (number > 0)',
        default: '(none: no hedging)',
        meaning:
          'Hedging: after this long without an answer another attempt goes to another instance (idempotent methods, `retry.attempts` in all); the first answer wins, the others are aborted.',
      }),
      key('outlier-ejection', outlierEjectionKeys, {
        type: 'map',
        meaning:
          'Passive health: an instance that keeps failing (connect failures, resets, timeouts, 5xx) is left out of its service for a while. On unless `enabled: false`.',
      }),
      key('zone-affinity', zoneAffinityKeys, {
        type: 'map',
        default: '(off)',
        meaning:
          "Prefer the instances of this service's zone (their `metadata[metadata-key]`), and use every zone when it has fewer than `min-instances` healthy ones. On when the map is set.",
      }),
      key('consistent-hash', consistentHashKeys, {
        type: 'map',
        meaning:
          "Where `lb-type: consistent_hash` reads each call's key: `header` or `query` (one of them). Refused with any other `lb-type`.",
      }),
    ),
    { type: 'map', meaning: 'How calls are made.' },
  ),
  key(
    'app-registry',
    section(
      key('nacos', nacos, {
        type: 'map',
        meaning: 'Use Nacos for discovery (and registration). At most one of `nacos`, `consul` and `static`.',
        warnWhenNull: true,
      }),
      key('consul', consul, {
        type: 'map',
        meaning: 'Use Consul for discovery (and registration). `consul: {}` uses a local agent.',
        warnWhenNull: true,
      }),
      key(
        'static',
        section(
          key(
            'services',
            { kind: 'map', label: '<service>', value: { kind: 'list', item: staticInstance } },
            { type: 'map of lists', default: '{}', meaning: 'Instances of each service, by service name.' },
          ),
        ),
        {
          type: 'map',
          meaning: 'Fixed instances, no server needed. The default registry; not with `nacos` or `consul`.',
        },
      ),
    ),
    { type: 'map', meaning: 'Where instances come from: `nacos`, `consul`, or `static`.' },
  ),
  key(
    'config-sources',
    section(
      key('nacos', nacosConfigSource, {
        type: 'map',
        meaning: 'The Nacos config centre: YAML data ids fetched and merged over the local files.',
        warnWhenNull: true,
      }),
    ),
    { type: 'map', meaning: 'Remote configuration merged over the local files.' },
  ),
);

/** The entry for `name` in a section, matched by YAML name or by camelCase name. */
export function findEntry(node: KeyNode, name: string, style: 'yaml' | 'camel'): KeyEntry | undefined {
  if (node.kind !== 'section') return undefined;
  return node.keys.find((entry) => (style === 'yaml' ? entry.name : entry.camel) === name);
}
