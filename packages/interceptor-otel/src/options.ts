import {
  type Context,
  type MeterProvider,
  propagation,
  type TextMapPropagator,
  type TextMapSetter,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { ConfigError, type RequestContext } from '@service-caller/core';

/**
 * Options of {@link otelInterceptor}.
 *
 * @example
 * ```ts
 * otelInterceptor({ metrics: true, spanName: (ctx) => `${ctx.method} ${ctx.serviceName}` });
 * ```
 */
export interface OtelInterceptorOptions {
  /**
   * Where the tracer comes from.
   * @default the global provider (`trace.getTracerProvider()`), which follows a provider registered later
   */
  tracerProvider?: TracerProvider;
  /**
   * Inject the trace context (`traceparent`, `tracestate`) and the baggage into the headers of
   * every attempt (each carries its own span's id) through `propagator`.
   * @default true
   */
  propagate?: boolean;
  /**
   * What writes the headers.
   * @default the global propagator (`propagation` from @opentelemetry/api): W3C trace context and baggage once an SDK is set up
   */
  propagator?: TextMapPropagator;
  /**
   * Also record the `http.client.request.duration` histogram (seconds, one value per attempt)
   * through the meter.
   * @default false
   */
  metrics?: boolean;
  /**
   * Where the meter comes from, when `metrics` is on.
   * @default the global provider (`metrics.getMeterProvider()`)
   */
  meterProvider?: MeterProvider;
  /**
   * The name of the attempt (CLIENT) spans; the call span is `{method} {service}`. The
   * conventions want a low-cardinality name: `{method}` or `{method} {url template}`; never put
   * the raw path or query in it.
   * @default the method: `GET`
   */
  spanName?: (ctx: RequestContext) => string;
  /**
   * More query keys whose values `url.full` and status descriptions show as `REDACTED`, matched
   * case-insensitively as substrings with `-`, `_`, `.` and spaces ignored. Added to the built-in
   * list (the conventions' signed-URL keys, and any key core's `isSecretName` flags: pass, pwd,
   * token, secret, api-key, access-key, private-key, credential, session, cookie, auth or
   * signature in it), never replacing it.
   * @default []
   */
  sensitiveQueryKeys?: readonly string[];
  /** The interceptor's name in the chain; another name lets two of them run side by side. @default 'OtelInterceptor' */
  name?: string;
  /**
   * Position in the chain. The default runs it late before the request (its span covers little
   * but the call itself, and a `LoggingInterceptor` at 99999 logs the trace header), and early
   * after it: it sees a failure before a fallback interceptor (order 0) handles it.
   * @default 99990
   */
  order?: number;
}

/** What writes the propagation headers: a `TextMapPropagator`, or the global `propagation` API. */
export interface HeaderInjector {
  inject(
    context: Context,
    carrier: Record<string, string>,
    setter: TextMapSetter<Record<string, string>>,
  ): void;
}

/** The options with defaults applied: the one place defaults live. */
export interface NormalizedOtelOptions {
  readonly tracerProvider: TracerProvider;
  /** What injects the headers; `undefined` when `propagate` is off. */
  readonly propagator: HeaderInjector | undefined;
  /**
   * Where the histogram's meter comes from: a given provider, `'global'` to follow the global one
   * (which, unlike the tracer provider, has no proxy: it must be looked up when used), or
   * `undefined` when `metrics` is off.
   */
  readonly meterProvider: MeterProvider | 'global' | undefined;
  readonly spanName: ((ctx: RequestContext) => string) | undefined;
  readonly sensitiveQueryKeys: readonly string[];
  readonly name: string;
  readonly order: number;
}

const FILE = '<otelInterceptor options>';

/** Validates the options and applies the defaults. Throws `ConfigError` naming the bad option. */
export function normalizeOptions(options: OtelInterceptorOptions = {}): NormalizedOtelOptions {
  if (typeof options !== 'object' || options === null) bad('', 'an options object', options);
  const {
    tracerProvider,
    propagate = true,
    propagator,
    metrics: withMetrics = false,
    meterProvider,
    spanName,
    sensitiveQueryKeys = [],
    name = 'OtelInterceptor',
    order = 99990,
  } = options;
  if (tracerProvider !== undefined && typeof tracerProvider?.getTracer !== 'function') {
    bad('tracerProvider', 'a TracerProvider (an object with getTracer)', tracerProvider);
  }
  if (typeof propagate !== 'boolean') bad('propagate', 'a boolean', propagate);
  if (propagator !== undefined && typeof propagator?.inject !== 'function') {
    bad('propagator', 'a TextMapPropagator (an object with inject)', propagator);
  }
  if (propagator !== undefined && !propagate) {
    bad('propagator', 'no propagator when propagate is false', propagator, 'it would never be used');
  }
  if (typeof withMetrics !== 'boolean') bad('metrics', 'a boolean', withMetrics);
  if (meterProvider !== undefined && typeof meterProvider?.getMeter !== 'function') {
    bad('meterProvider', 'a MeterProvider (an object with getMeter)', meterProvider);
  }
  if (meterProvider !== undefined && !withMetrics) {
    bad('meterProvider', 'no meterProvider unless metrics is true', meterProvider, 'it would never be used');
  }
  if (spanName !== undefined && typeof spanName !== 'function') bad('spanName', 'a function', spanName);
  if (!Array.isArray(sensitiveQueryKeys) || !sensitiveQueryKeys.every((k) => typeof k === 'string')) {
    bad('sensitiveQueryKeys', 'a list of strings', sensitiveQueryKeys);
  }
  if (typeof name !== 'string' || name.trim() === '') bad('name', 'a non-empty string', name);
  if (typeof order !== 'number' || !Number.isFinite(order)) bad('order', 'a finite number', order);
  return {
    tracerProvider: tracerProvider ?? trace.getTracerProvider(),
    propagator: propagate ? (propagator ?? propagation) : undefined,
    meterProvider: withMetrics ? (meterProvider ?? 'global') : undefined,
    spanName,
    sensitiveQueryKeys: [...sensitiveQueryKeys],
    name,
    order,
  };
}

function bad(keyPath: string, expected: string, found: unknown, hint?: string): never {
  throw new ConfigError({ file: FILE, keyPath, expected, found: kindOf(found), hint });
}

/** A short, secret-free description of a wrong value: its type, or the value for plain scalars. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  return `${typeof value} ${String(value)}`;
}
