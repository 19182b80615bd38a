import { ConfigError } from '@service-caller/core';
import { type Registry, register } from 'prom-client';

/**
 * The default bucket upper bounds of the duration histogram, in seconds: those the OpenTelemetry
 * conventions advise for `http.client.request.duration`, so both packages bucket alike.
 */
export const DEFAULT_BUCKETS_SECONDS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

/**
 * Options of {@link prometheusInterceptor}.
 *
 * @example
 * ```ts
 * const registry = new Registry();
 * prometheusInterceptor({ registry, instanceLabel: true });
 * ```
 */
export interface PrometheusInterceptorOptions {
  /**
   * Where the metrics are registered: scrape it with `await registry.metrics()`.
   * @default prom-client's global `register`
   */
  registry?: Registry;
  /**
   * Put every metric name after this prefix: `<prefix>client_request_duration_seconds`. Letters,
   * digits, `_` and `:`, not starting with a digit; `''` for none.
   * @default 'service_caller_'
   */
  prefix?: string;
  /** Ascending, finite, positive upper bounds of the duration buckets, in seconds. @default DEFAULT_BUCKETS_SECONDS */
  buckets?: readonly number[];
  /**
   * Also label the duration histogram with the chosen instance (`service_instance`, the
   * instance's id). Off by default: a series per instance multiplies the series by the number of
   * instances, and instances come and go.
   * @default false
   */
  instanceLabel?: boolean;
  /** The interceptor's name in the chain; another name lets two of them run side by side. @default 'PrometheusInterceptor' */
  name?: string;
  /**
   * Position in the chain. The default runs it late before the request and early after it, so
   * it sees a failure before a fallback interceptor (order 0) handles it.
   * @default 99991
   */
  order?: number;
}

/** The options with defaults applied: the one place defaults live. */
export interface NormalizedPrometheusOptions {
  readonly registry: Registry;
  readonly prefix: string;
  readonly buckets: readonly number[];
  readonly instanceLabel: boolean;
  readonly name: string;
  readonly order: number;
}

const FILE = '<prometheusInterceptor options>';
/** Prometheus' metric name rule, for the prefix (which may be empty). */
const PREFIX = /^([a-zA-Z_:][a-zA-Z0-9_:]*)?$/;

/** Validates the options and applies the defaults. Throws `ConfigError` naming the bad option. */
export function normalizeOptions(options: PrometheusInterceptorOptions = {}): NormalizedPrometheusOptions {
  if (typeof options !== 'object' || options === null) bad('', 'an options object', options);
  const {
    registry = register,
    prefix = 'service_caller_',
    buckets = DEFAULT_BUCKETS_SECONDS,
    instanceLabel = false,
    name = 'PrometheusInterceptor',
    order = 99991,
  } = options;
  if (typeof registry?.registerMetric !== 'function' || typeof registry.getSingleMetric !== 'function') {
    bad('registry', "a prom-client Registry (new Registry() or prom-client's register)", registry);
  }
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    bad('prefix', "letters, digits, '_' and ':', not starting with a digit (or '')", prefix);
  }
  const ascending =
    Array.isArray(buckets) &&
    buckets.length > 0 &&
    buckets.every(
      (b, i) =>
        typeof b === 'number' && Number.isFinite(b) && b > 0 && (i === 0 || b > (buckets[i - 1] as number)),
    );
  if (!ascending)
    bad('buckets', 'a non-empty list of ascending, finite, positive numbers (seconds)', buckets);
  if (typeof instanceLabel !== 'boolean') bad('instanceLabel', 'a boolean', instanceLabel);
  if (typeof name !== 'string' || name.trim() === '') bad('name', 'a non-empty string', name);
  if (typeof order !== 'number' || !Number.isFinite(order)) bad('order', 'a finite number', order);
  return { registry, prefix, buckets: [...buckets], instanceLabel, name, order };
}

function bad(keyPath: string, expected: string, found: unknown): never {
  throw new ConfigError({ file: FILE, keyPath, expected, found: kindOf(found) });
}

/** A short description of a wrong value: scalars as they are, objects by their kind. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value))
    return `[${value.map((v) => (typeof v === 'object' ? typeof v : String(v))).join(', ')}]`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value);
  return `${typeof value} ${String(value)}`;
}
