import type { LoadBalancerType } from '@service-caller/core';

/** The built-in values of `service-caller.lb-type`, in the order the docs list them. */
export const LB_TYPES = [
  'round_robin',
  'random',
  'weight_random',
  'weight_round_robin',
  'least_request',
  'peak_ewma',
  'consistent_hash',
] as const;

/** `service-caller.retry.retry-on`: the failures by name (statuses are numbers 400-599). */
export const RETRY_FAILURES = ['connect-failure', 'reset', 'timeout'] as const;

/** `service-caller.retry.attempts`: at most this many (core's limit). */
export const MAX_ATTEMPTS = 10;

/**
 * The form of an `lb-type` name: built-in or registered by a package (core's
 * `registerLoadBalancer` takes the same form). Whether the name exists is checked where the
 * balancer is made.
 */
export const LB_NAME = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

// Fails to compile when core adds a balancer name that this list (and so the schema) lacks.
type MissingLbType = Exclude<LoadBalancerType, (typeof LB_TYPES)[number]>;
const lbTypesComplete: [MissingLbType] extends [never] ? true : MissingLbType = true;
void lbTypesComplete;

/**
 * Other spellings of `lb-type` and the name each stands for. The Python library's code accepts
 * `weighted_random` / `weighted_round_robin` while its README says `weight_*`; configs written
 * for it use either, so both load here.
 */
export const LB_TYPE_ALIASES: Readonly<Record<string, (typeof LB_TYPES)[number]>> = {
  weighted_random: 'weight_random',
  weighted_round_robin: 'weight_round_robin',
};

/** `app-registry.nacos.api-version`. */
export const NACOS_API_VERSIONS = ['auto', 'v1', 'v3', 'grpc'] as const;

/** `app-registry.nacos.registration`: what start-up does when Nacos cannot be reached. */
export const NACOS_REGISTRATION_MODES = ['fail-fast', 'background'] as const;

/** `app-registry.consul.check.type`. */
export const CONSUL_CHECK_TYPES = ['ttl', 'http'] as const;

/**
 * The largest number of seconds a timeout or interval may have: Node's timers hold at most
 * 2^31-1 ms and silently fire after 1 ms when given more, so a larger value would turn a
 * generous timeout into an immediate one.
 */
export const MAX_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/**
 * `service-caller.timeout`'s default, seconds: far above any answer an API should take (with
 * retries: three attempts of a 6 s read timeout and their back-off fit), and a bound on calls
 * that would otherwise wait for ever on a body trickling in. aiohttp's (the Python library's
 * client) is 300 s; 30 s is what a caller inside a request handler can still afford.
 */
export const DEFAULT_TIMEOUT_SECONDS = 30;

/** Ports, and connections per origin (each needs its own local port). */
export const MAX_PORT = 65_535;

/** Nacos refuses instance weights outside 0-10000. */
export const MAX_WEIGHT = 10_000;

/** Config files larger than this are refused before they are parsed. */
export const MAX_FILE_BYTES = 1024 * 1024;

/**
 * YAML aliases one document may resolve, counted the way the `yaml` package counts them (uses
 * times nesting). A handful of anchors in a real config stays far below; a "billion laughs"
 * document exceeds it after a few steps, before anything is expanded.
 */
export const MAX_ALIAS_COUNT = 100;

/** Values (map entries, list items, scalars) one config may hold after aliases are resolved. */
export const MAX_VALUES = 100_000;

/** How deeply `${A:${B:${C}}}` defaults may nest. */
export const MAX_EXPANSION_DEPTH = 16;

/**
 * How deeply flow collections (`[...]`, `{...}`) may nest. The `yaml` parser slows down
 * superlinearly with nesting (a 1 MiB file of `[` takes many seconds before it gives up), so
 * deeper nesting is refused by a pre-scan that stops at the first excess.
 */
export const MAX_FLOW_DEPTH = 64;
