import { ConfigError, type RequestContext, type ServiceInterceptor } from '@service-caller/core';
import { statusOf } from './status-of.js';

/** Upper bounds of the latency buckets, in milliseconds; `+Inf` is always added after the last. */
export const DEFAULT_LATENCY_BUCKETS: readonly number[] = [
  1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000,
];

/** Options of {@link MetricsInterceptor}. */
export interface MetricsInterceptorOptions {
  /** Ascending, finite, positive bucket upper bounds in ms. @default DEFAULT_LATENCY_BUCKETS */
  buckets?: readonly number[];
  /**
   * Position in the chain. The default runs it early in `handleException`, before a fallback
   * interceptor (order 0) can clear the error, so handled failures are still counted. @default 99998
   */
  order?: number;
}

/** One bucket of a latency histogram. */
export interface LatencyBucket {
  /** Upper bound in ms (inclusive), or `'+Inf'`. */
  readonly le: number | '+Inf';
  /** Calls whose duration was <= `le`: cumulative, as in Prometheus. */
  readonly count: number;
}

/** Call durations of one service, in milliseconds. */
export interface LatencyHistogram {
  readonly buckets: readonly LatencyBucket[];
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
}

/** What {@link MetricsInterceptor} knows about one service. */
export interface ServiceMetrics {
  /** Calls that ended (successes + errors). */
  readonly count: number;
  readonly successes: number;
  /** Failed calls, including those a fallback interceptor turned into a result. */
  readonly errors: number;
  /** Failed calls that an interceptor handled with a fallback result (a subset of `errors`). */
  readonly fallbacks: number;
  /** Errors by class name: `HttpStatusError`, `TimeoutError`, `AbortError`, ... */
  readonly errorsByType: Readonly<Record<string, number>>;
  /** Errors that carry an HTTP status, by status (`'503'`). */
  readonly errorsByStatus: Readonly<Record<string, number>>;
  /** Duration of every call, from start to end (interceptors included). */
  readonly latency: LatencyHistogram;
}

/** A plain-object copy of the metrics, safe to serialise. */
export interface MetricsSnapshot {
  /** By service name, for every service called since creation or the last `reset()`. */
  readonly services: Readonly<Record<string, ServiceMetrics>>;
}

class ServiceStats {
  count = 0;
  errors = 0;
  fallbacks = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = 0;
  readonly errorsByType = new Map<string, number>();
  readonly errorsByStatus = new Map<number, number>();
  /** Per-bucket (not cumulative) counts; the last slot is `+Inf`. */
  readonly bucketCounts: Float64Array;

  constructor(bucketCount: number) {
    this.bucketCounts = new Float64Array(bucketCount + 1);
  }
}

/**
 * Counts calls, errors and a latency histogram per service, readable with `snapshot()`.
 *
 * @example
 * ```ts
 * const metrics = new MetricsInterceptor();
 * const manager = await ServiceManager.create({ interceptors: [metrics] });
 * // ...
 * metrics.snapshot().services['other-app']?.latency.buckets;
 * ```
 */
export class MetricsInterceptor implements ServiceInterceptor {
  readonly name = 'MetricsInterceptor';
  readonly order: number;
  readonly #bounds: readonly number[];
  #services = new Map<string, ServiceStats>();
  /** Errors seen in `handleException`, by call; weak, and touched only on failure. */
  readonly #seenErrors = new WeakMap<RequestContext, unknown>();

  constructor(options: MetricsInterceptorOptions = {}) {
    this.order = options.order ?? 99998;
    const bounds = options.buckets ?? DEFAULT_LATENCY_BUCKETS;
    const valid =
      Array.isArray(bounds) &&
      bounds.length > 0 &&
      bounds.every(
        (b, i) =>
          typeof b === 'number' && Number.isFinite(b) && b > 0 && (i === 0 || b > (bounds[i - 1] as number)),
      );
    if (!valid) {
      throw new ConfigError({
        file: '<MetricsInterceptor options>',
        keyPath: 'buckets',
        expected: 'a non-empty list of ascending, finite, positive numbers (ms)',
        found: safeJson(bounds),
      });
    }
    this.#bounds = [...bounds];
  }

  handleException(ctx: RequestContext): void {
    // Remembered here: a fallback interceptor may clear ctx.error before afterResponse runs.
    if (ctx.error !== undefined) this.#seenErrors.set(ctx, ctx.error);
  }

  afterResponse(ctx: RequestContext): void {
    let stats = this.#services.get(ctx.serviceName);
    if (stats === undefined) {
      stats = new ServiceStats(this.#bounds.length);
      this.#services.set(ctx.serviceName, stats);
    }
    const ms = ctx.duration ?? performance.now() - ctx.startTime;
    stats.count++;
    stats.sum += ms;
    if (ms < stats.min) stats.min = ms;
    if (ms > stats.max) stats.max = ms;
    const bounds = this.#bounds;
    let bucket = 0;
    while (bucket < bounds.length && ms > (bounds[bucket] as number)) bucket++;
    stats.bucketCounts[bucket] = (stats.bucketCounts[bucket] as number) + 1;

    const error = ctx.error !== undefined ? ctx.error : this.#seenErrors.get(ctx);
    if (error === undefined) return;
    stats.errors++;
    if (ctx.error === undefined) stats.fallbacks++;
    const type = error instanceof Error ? error.name : typeof error;
    stats.errorsByType.set(type, (stats.errorsByType.get(type) ?? 0) + 1);
    const status = statusOf(error);
    if (status !== undefined) stats.errorsByStatus.set(status, (stats.errorsByStatus.get(status) ?? 0) + 1);
  }

  /** A plain-object copy of the current counts; later calls do not change it. */
  snapshot(): MetricsSnapshot {
    const services: Record<string, ServiceMetrics> = {};
    for (const [name, stats] of this.#services) {
      const buckets: LatencyBucket[] = [];
      let cumulative = 0;
      for (let i = 0; i <= this.#bounds.length; i++) {
        cumulative += stats.bucketCounts[i] as number;
        buckets.push({
          le: i < this.#bounds.length ? (this.#bounds[i] as number) : '+Inf',
          count: cumulative,
        });
      }
      Object.defineProperty(services, name, {
        enumerable: true,
        writable: true,
        configurable: true,
        value: {
          count: stats.count,
          successes: stats.count - stats.errors,
          errors: stats.errors,
          fallbacks: stats.fallbacks,
          errorsByType: Object.fromEntries(stats.errorsByType),
          errorsByStatus: Object.fromEntries([...stats.errorsByStatus].map(([s, n]) => [String(s), n])),
          latency: {
            buckets,
            count: stats.count,
            sum: stats.sum,
            min: stats.count === 0 ? 0 : stats.min,
            max: stats.max,
          },
        } satisfies ServiceMetrics,
      });
    }
    return { services };
  }

  /** Forgets every count. */
  reset(): void {
    this.#services = new Map();
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
