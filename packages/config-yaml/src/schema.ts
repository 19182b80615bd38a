import { DEFAULT_MAX_RESPONSE_SIZE, HTTP_METHODS, type HttpMethod } from '@service-caller/core';
import { z } from 'zod';
import {
  CONSUL_CHECK_TYPES,
  DEFAULT_TIMEOUT_SECONDS,
  LB_NAME,
  LB_TYPE_ALIASES,
  MAX_ATTEMPTS,
  MAX_PORT,
  MAX_SECONDS,
  MAX_WEIGHT,
  NACOS_API_VERSIONS,
  NACOS_REGISTRATION_MODES,
  RETRY_FAILURES,
} from './limits.js';
import type { ServiceCallerConfig } from './types.js';

// Every message below is the "expected" part of a ConfigError: the loader adds the file, the key
// path, what it found and a hint. Checks that can fail in several ways share one message, so the
// user reads one rule per key.

const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Numbers arrive as strings from `${VAR}`; only a string that is wholly a number is converted. */
function toNumber(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  return NUMERIC.test(trimmed) ? Number(trimmed) : value;
}

/** `true` / `false` arrive as strings from `${VAR}`; no other spelling is guessed at. */
function toBoolean(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const lower = value.trim().toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : value;
}

function numberIn(expected: string, accept: (n: number) => boolean) {
  return z.preprocess(toNumber, z.number({ error: expected }).refine(accept, { error: expected }));
}

const seconds = numberIn(
  `a number of seconds greater than 0 and at most ${MAX_SECONDS}`,
  (n) => n > 0 && n <= MAX_SECONDS,
);
const wholeNumber = (what: string, min: number, max: number) =>
  numberIn(`${what} from ${min} to ${max}`, (n) => Number.isInteger(n) && n >= min && n <= max);
const port = wholeNumber('a whole port number', 1, MAX_PORT);
const weight = numberIn(`a number from 0 to ${MAX_WEIGHT}`, (n) => n >= 0 && n <= MAX_WEIGHT);
const boolean = z.preprocess(toBoolean, z.boolean({ error: 'true or false' }));

const text = z.string({ error: 'a string' });
const nonEmptyText = z.string({ error: 'a non-empty string' }).min(1, { error: 'a non-empty string' });
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `one of ${values.join(', ')}` });

/** A host name or IP address: no scheme, path, user info or (IPv4/name) port. */
const host = z
  .string({ error: 'a host name or IP address' })
  .refine((value) => /^[^\s/@]+$/.test(value) && (!value.includes(':') || /:.*:/.test(value)), {
    error: 'a host name or IP address (no scheme, port or path)',
  });

function isHostPort(part: string): boolean {
  const match = /^(\[[0-9A-Fa-f:.]+\]|[^\s/@:[\]]+):(\d{1,5})$/.exec(part);
  if (match === null) return false;
  const portNumber = Number(match[2]);
  return portNumber >= 1 && portNumber <= MAX_PORT;
}

const serverAddr = z
  .string({ error: 'host:port, or several separated by commas' })
  .refine((value) => value.split(',').every((part) => isHostPort(part.trim())), {
    error: `host:port (port 1-${MAX_PORT}), or several separated by commas, without a scheme`,
  });

const stringMap = z.record(z.string(), z.string({ error: 'a string value' }), {
  error: 'a map of names to string values',
});

const isBlank = (value: string | undefined) => value !== undefined && value.trim() === '';

/** A key that is known but refused whenever it is set: the message says why and what to do. */
const refused = (message: string) => z.undefined({ error: message }).optional();

const NAMING_SIGNING_REFUSED =
  'no access-key / secret-key under app-registry.nacos: signing naming requests (Alibaba Cloud MSE) is not implemented for discovery and registration; use username and password';

/**
 * `lb-type`: a balancer name, or another spelling of a built-in one (the Python library's
 * `weighted_*`). Which names exist is known where balancers are made (packages register theirs
 * with core): the facade checks the name when it builds the manager, with a "did you mean".
 */
const lbType = z.preprocess(
  (value) =>
    typeof value === 'string' && Object.hasOwn(LB_TYPE_ALIASES, value) ? LB_TYPE_ALIASES[value] : value,
  z.string({ error: 'a load balancer name' }).regex(LB_NAME, {
    error: 'a load balancer name (lower-case words joined by underscores, e.g. round_robin)',
  }),
);

/** Seconds, 0 allowed: a back-off of 0 retries at once. */
const secondsOrZero = numberIn(
  `a number of seconds from 0 to ${MAX_SECONDS}`,
  (n) => n >= 0 && n <= MAX_SECONDS,
);
const percent = numberIn('a number from 0 to 100 (per cent)', (n) => n >= 0 && n <= 100);

/** An entry of `retry-on`: a failure by name, or a status (a number, also from `${VAR}`). */
const RETRY_ON_EXPECTED = `one of ${RETRY_FAILURES.join(', ')}, or a status from 400 to 599`;
const retryOnEntry = z.preprocess(
  toNumber,
  z.union(
    [
      z.enum(RETRY_FAILURES),
      z.number().refine((n) => Number.isInteger(n) && n >= 400 && n <= 599, { error: RETRY_ON_EXPECTED }),
    ],
    { error: RETRY_ON_EXPECTED },
  ),
);

const retrySchema = z
  .object(
    {
      attempts: wholeNumber('a whole number of attempts (the first included)', 1, MAX_ATTEMPTS).optional(),
      backoff: z
        .object(
          { base: secondsOrZero.optional(), max: secondsOrZero.optional() },
          { error: 'a map with base and max (seconds)' },
        )
        .optional(),
      retryOn: z.array(retryOnEntry, { error: 'a list of failures and statuses' }).optional(),
      methods: z
        .array(oneOf(HTTP_METHODS as unknown as readonly [HttpMethod, ...HttpMethod[]]), {
          error: `a list of ${HTTP_METHODS.join(', ')}`,
        })
        .optional(),
      retryAfterMax: secondsOrZero.optional(),
    },
    { error: 'a map of retry settings' },
  )
  .superRefine((retry, ctx) => {
    const { base, max } = retry.backoff ?? {};
    if (base !== undefined && max !== undefined && max < base) {
      ctx.addIssue({
        code: 'custom',
        path: ['backoff', 'max'],
        message: `a number of seconds >= backoff.base (${base})`,
      });
    }
  });

const retryBudgetSchema = z.object(
  {
    enabled: boolean.default(true),
    percent: percent.optional(),
    minPerSecond: numberIn('a number of retries >= 0', (n) => n >= 0 && n <= 1_000_000).optional(),
  },
  { error: 'a map of retry budget settings' },
);

const outlierEjectionSchema = z
  .object(
    {
      enabled: boolean.default(true),
      consecutiveFailures: wholeNumber('a whole number of failures', 1, 1_000_000).optional(),
      ejectOnConnectFailure: boolean.optional(),
      baseEjectionTime: seconds.optional(),
      maxEjectionTime: seconds.optional(),
      maxEjectionPercent: percent.optional(),
    },
    { error: 'a map of outlier ejection settings' },
  )
  .superRefine((ejection, ctx) => {
    const { baseEjectionTime: base, maxEjectionTime: max } = ejection;
    if (base !== undefined && max !== undefined && max < base) {
      ctx.addIssue({
        code: 'custom',
        path: ['maxEjectionTime'],
        message: `a number of seconds >= base-ejection-time (${base})`,
      });
    }
  });

const zoneAffinitySchema = z.object(
  {
    zone: nonEmptyText.optional(),
    metadataKey: nonEmptyText.default('zone'),
    minInstances: wholeNumber('a whole number of instances', 1, MAX_PORT).default(1),
  },
  { error: 'a map of zone affinity settings' },
);

const consistentHashSchema = z
  .object(
    {
      header: nonEmptyText.optional(),
      query: nonEmptyText.optional(),
      pointsPerInstance: wholeNumber('a whole number of points', 1, 10_000).optional(),
    },
    { error: 'a map with header or query' },
  )
  .superRefine((hash, ctx) => {
    if ((hash.header === undefined) === (hash.query === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [hash.header === undefined ? 'header' : 'query'],
        message:
          hash.header === undefined
            ? "a header name (or a query parameter name in query): where each call's key is"
            : 'nothing, since header is set: one of header and query',
      });
    }
  });

const settingsSchema = z
  .object(
    {
      lbType: lbType.default('round_robin'),
      connectionTimeout: seconds.default(6),
      readTimeout: seconds.default(6),
      timeout: seconds.default(DEFAULT_TIMEOUT_SECONDS),
      closeTimeout: seconds.optional(),
      connectionPoolSize: wholeNumber('a whole number of connections', 1, MAX_PORT).default(100),
      maxResponseSize: wholeNumber('a whole number of bytes', 1, Number.MAX_SAFE_INTEGER).default(
        DEFAULT_MAX_RESPONSE_SIZE,
      ),
      throwHttpErrors: boolean.optional(),
      strictOptions: boolean.optional(),
      retry: retrySchema.optional(),
      retryBudget: retryBudgetSchema.optional(),
      perTryTimeout: seconds.optional(),
      hedgeDelay: seconds.optional(),
      outlierEjection: outlierEjectionSchema.optional(),
      zoneAffinity: zoneAffinitySchema.optional(),
      consistentHash: consistentHashSchema.optional(),
    },
    { error: 'a map of service-caller settings' },
  )
  .superRefine((settings, ctx) => {
    // consistent_hash needs to know where a call's key is; nothing else reads consistent-hash.
    if (settings.lbType === 'consistent_hash' && settings.consistentHash === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['consistentHash'],
        message: "a map with header or query, since lb-type is consistent_hash: where each call's key is",
      });
    }
    if (settings.lbType !== 'consistent_hash' && settings.consistentHash !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['consistentHash'],
        message: `nothing, since lb-type is ${settings.lbType} (consistent-hash is read by lb-type consistent_hash only)`,
      });
    }
  });

const nacosSchema = z
  .object(
    {
      serverAddr,
      namespace: nonEmptyText.default('public'),
      // No default: unset, discovery lists every cluster (registration still joins DEFAULT).
      cluster: nonEmptyText.optional(),
      group: nonEmptyText.default('DEFAULT_GROUP'),
      ip: host.optional(),
      port: port.optional(),
      appName: text.optional(),
      username: text.optional(),
      password: text.optional(),
      accessKey: refused(NAMING_SIGNING_REFUSED),
      secretKey: refused(NAMING_SIGNING_REFUSED),
      weight: weight.default(1),
      metadata: stringMap.optional(),
      ephemeral: boolean.default(true),
      secure: boolean.default(false),
      heartbeatInterval: seconds.default(5),
      apiVersion: oneOf(NACOS_API_VERSIONS).default('auto'),
      registration: oneOf(NACOS_REGISTRATION_MODES).default('fail-fast'),
    },
    { error: 'a map of Nacos settings' },
  )
  .superRefine((nacos, ctx) => {
    if (isBlank(nacos.appName) && (nacos.ip !== undefined || nacos.port !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['appName'],
        message: 'a non-empty service name, since ip or port is set (this service registers itself)',
      });
    }
  })
  .transform(({ appName, ...nacos }) => ({
    ...nacos,
    ...(appName === undefined || isBlank(appName) ? {} : { appName }),
  }));

const checkSchema = z
  .object(
    {
      type: oneOf(CONSUL_CHECK_TYPES).default('ttl'),
      interval: seconds.default(10),
      path: z
        .string({ error: "a path starting with '/'" })
        .refine((value) => value.startsWith('/'), { error: "a path starting with '/'" })
        .optional(),
      deregisterCriticalAfter: seconds.default(60),
    },
    { error: 'a map of check settings' },
  )
  .transform((check) =>
    check.type === 'http' && check.path === undefined ? { ...check, path: '/health' } : check,
  );

const consulSchema = z
  .object(
    {
      host: host.default('127.0.0.1'),
      port: port.default(8500),
      secure: boolean.default(false),
      token: text.optional(),
      datacenter: nonEmptyText.optional(),
      appName: text.optional(),
      ip: host.optional(),
      servicePort: port.optional(),
      tags: z.array(z.string({ error: 'a string' }), { error: 'a list of strings' }).optional(),
      meta: stringMap.optional(),
      weight: wholeNumber('a whole number', 1, MAX_PORT).default(1),
      check: checkSchema.prefault({}),
    },
    { error: 'a map of Consul settings' },
  )
  .superRefine((consul, ctx) => {
    if (isBlank(consul.appName) && (consul.ip !== undefined || consul.servicePort !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['appName'],
        message: 'a non-empty service name, since ip or service-port is set (this service registers itself)',
      });
    }
  })
  .transform(({ appName, ...consul }) => ({
    ...consul,
    ...(appName === undefined || isBlank(appName) ? {} : { appName }),
  }));

const staticInstanceSchema = z.object(
  {
    host: host,
    port,
    weight: weight.default(1),
    secure: boolean.optional(),
    metadata: stringMap.optional(),
  },
  { error: 'an instance: a map with host and port' },
);

const staticSchema = z.object(
  {
    services: z
      .record(z.string(), z.array(staticInstanceSchema, { error: 'a list of instances ({ host, port })' }), {
        error: 'a map of service names to lists of instances',
      })
      .default({}),
  },
  { error: 'a map with services' },
);

/** The registry sections of `app-registry`, of which a config holds at most one. */
export const REGISTRY_SECTIONS = ['nacos', 'consul', 'static'] as const;
/** What a config with more than one registry section is told. */
export const ONE_REGISTRY = 'at most one of nacos, consul and static';

const appRegistrySchema = z
  .object(
    {
      nacos: nacosSchema.optional(),
      consul: consulSchema.optional(),
      static: staticSchema.optional(),
    },
    { error: 'a map of registry settings (nacos, consul or static)' },
  )
  // One registry per config: with two sections, one would be silently ignored (issue #18: a
  // README with nacos and static called Nacos and failed). `static: ~` in a profile removes an
  // inherited static list.
  .superRefine((registry, ctx) => {
    const present = REGISTRY_SECTIONS.filter((key) => registry[key] !== undefined);
    if (present.length > 1) {
      ctx.addIssue({ code: 'custom', path: [], message: ONE_REGISTRY });
    }
  });

/** `data-id`: YAML only, since the document is parsed as YAML. */
const dataId = z
  .string({ error: 'a data id ending in .yaml or .yml' })
  .refine((value) => /\.ya?ml$/i.test(value.trim()), {
    error: 'a data id ending in .yaml or .yml (YAML data ids only)',
  });

const nacosConfigSourceSchema = z
  .object(
    {
      serverAddr,
      namespace: nonEmptyText.default('public'),
      group: nonEmptyText.default('DEFAULT_GROUP'),
      username: text.optional(),
      password: text.optional(),
      accessKey: text.optional(),
      secretKey: text.optional(),
      endpoint: refused(
        'no endpoint: an address server (ACM endpoint) is not supported; list the Nacos servers in server-addr',
      ),
      autoRefresh: boolean.default(true),
      imports: z
        .array(z.object({ dataId }, { error: 'an import: a map with data-id' }), {
          error: 'a list of imports, each { data-id: name.yaml }',
        })
        .default([]),
      secure: boolean.default(false),
      startTimeout: seconds.default(10),
      cacheDir: nonEmptyText.optional(),
    },
    { error: 'a map of Nacos config centre settings' },
  )
  .superRefine((nacos, ctx) => {
    if ((nacos.accessKey === undefined) !== (nacos.secretKey === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [nacos.accessKey === undefined ? 'accessKey' : 'secretKey'],
        message: 'access-key and secret-key together (requests are signed with the pair)',
      });
    }
    if (nacos.password !== undefined && nacos.username === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['username'],
        message: 'a user name to log in with, since a password is set',
      });
    }
  });

const configSourcesSchema = z.object(
  { nacos: nacosConfigSourceSchema.optional() },
  { error: 'a map of config sources (nacos)' },
);

const extendProfiles = z.union([z.string(), z.array(z.string({ error: 'a string' }))], {
  error: 'a comma-separated string of profile names and file: paths, or a list of them',
});

/**
 * The whole configuration, camelCase, with defaults. Used through its Standard Schema interface
 * (`configSchema['~standard'].validate`).
 */
export const configSchema = z.object(
  {
    profile: text.optional(),
    extendProfiles: extendProfiles.optional(),
    serviceCaller: settingsSchema.prefault({}),
    appRegistry: appRegistrySchema.prefault({}),
    configSources: configSourcesSchema.optional(),
  },
  { error: 'a map of settings' },
);

// The schema's output must be the documented config type; this fails to compile when they drift.
const schemaMatchesTypes: z.ZodType<ServiceCallerConfig> = configSchema;
void schemaMatchesTypes;
