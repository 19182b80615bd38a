import {
  type Attributes,
  context,
  diag,
  type Histogram,
  type MeterProvider,
  metrics,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapSetter,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { RequestContext, ServiceInterceptor } from '@service-caller/core';
import { version } from '../package.json';
import { type CallOutcome, callOutcome } from './call-outcome.js';
import {
  type HeaderInjector,
  type NormalizedOtelOptions,
  normalizeOptions,
  type OtelInterceptorOptions,
} from './options.js';
import {
  ATTR_ERROR_TYPE,
  ATTR_FALLBACK,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_INSTANCE_ID,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_SERVICE_PEER_NAME,
  ATTR_URL_FULL,
  DURATION_BUCKETS_SECONDS,
  METRIC_HTTP_CLIENT_REQUEST_DURATION,
} from './semconv.js';
import { QueryRedactor } from './url-redaction.js';

/** The instrumentation scope the tracer and the meter are named after. */
export const INSTRUMENTATION_SCOPE = '@service-caller/interceptor-otel';

/** Writes a propagation header into the request's own headers object. */
const HEADER_SETTER: TextMapSetter<Record<string, string>> = {
  set(carrier, key, value) {
    carrier[key] = value;
  },
};

/**
 * An interceptor that traces every call with OpenTelemetry: one CLIENT span per call, named and
 * attributed per the HTTP client semantic conventions, with the W3C trace context and baggage
 * injected into the request's headers through the propagator, and optionally the
 * `http.client.request.duration` histogram. Built on `@opentelemetry/api` alone: without an SDK
 * set up it costs a no-op span per call.
 *
 * What a span holds: `http.request.method`, `service.peer.name` (the service called),
 * `server.address` / `server.port` / `service_caller.instance.id` (the instance chosen),
 * `url.full` (secret-looking query values as `REDACTED`), `http.response.status_code` when a
 * response came, and on failure `error.type` (the status, `'503'`, else the error's class name,
 * `TimeoutError`) with the status `ERROR`. A call the caller cancelled through its own signal is no
 * error. A failure that a later interceptor turned into a result keeps its error and gets
 * `service_caller.fallback: true`.
 *
 * The span starts in `beforeRequest` (parented on the active context) and ends in
 * `afterResponse`: once the body is read for a parsed call, once the headers arrived for a raw one.
 *
 * @example
 * ```ts
 * import { otelInterceptor } from '@service-caller/interceptor-otel';
 *
 * const manager = await ServiceManager.create({ configDir: './config', interceptors: [otelInterceptor()] });
 * ```
 */
export function otelInterceptor(options?: OtelInterceptorOptions): ServiceInterceptor {
  return new OtelInterceptor(normalizeOptions(options));
}

class OtelInterceptor implements ServiceInterceptor {
  readonly name: string;
  readonly order: number;
  readonly #tracer: Tracer;
  readonly #propagator: HeaderInjector | undefined;
  readonly #meterProvider: MeterProvider | 'global' | undefined;
  /** The histogram, and the provider it was made from (the global one can change). */
  #duration: Histogram | undefined;
  #durationFrom: MeterProvider | undefined;
  readonly #spanName: ((ctx: RequestContext) => string) | undefined;
  readonly #redactor: QueryRedactor;
  /** The span of each call in flight. Weak: a call that never reaches `afterResponse` holds nothing. */
  readonly #spans = new WeakMap<RequestContext, Span>();
  /** Failures seen in `handleException`, before a fallback can clear `ctx.error`; touched only on failure. */
  readonly #failures = new WeakMap<RequestContext, unknown>();

  constructor(options: NormalizedOtelOptions) {
    this.name = options.name;
    this.order = options.order;
    this.#tracer = options.tracerProvider.getTracer(INSTRUMENTATION_SCOPE, version);
    this.#propagator = options.propagator;
    this.#spanName = options.spanName;
    this.#redactor = new QueryRedactor(options.sensitiveQueryKeys);
    this.#meterProvider = options.meterProvider;
  }

  beforeRequest(ctx: RequestContext): void {
    const parent = context.active();
    const span = this.#startSpan(ctx, parent, undefined);
    this.#spans.set(ctx, span);
    if (this.#propagator !== undefined) {
      // The engine gives each call its own headers object; an earlier interceptor may have dropped it.
      ctx.options.headers ??= {};
      try {
        this.#propagator.inject(trace.setSpan(parent, span), ctx.options.headers, HEADER_SETTER);
      } catch (error) {
        // Telemetry never fails a call: reported where OpenTelemetry reports its own troubles.
        diag.error(`${this.name}: the propagator threw; the call goes without trace headers`, error);
      }
    }
  }

  handleException(ctx: RequestContext): void {
    if (ctx.error !== undefined) this.#failures.set(ctx, ctx.error);
  }

  afterResponse(ctx: RequestContext): void {
    let span = this.#spans.get(ctx);
    if (span === undefined) {
      // An earlier interceptor's beforeRequest threw, so ours never ran: the failed call still
      // gets its span, dated from the call's start.
      span = this.#startSpan(ctx, context.active(), performance.timeOrigin + ctx.startTime);
    } else {
      this.#spans.delete(ctx);
    }
    const seen = ctx.error === undefined ? this.#failures.get(ctx) : ctx.error;
    const outcome = callOutcome(ctx, seen);
    if (span.isRecording()) this.#describe(span, ctx, outcome);
    span.end();
    if (this.#meterProvider !== undefined) this.#recordDuration(ctx, outcome);
  }

  #startSpan(
    ctx: RequestContext,
    parent: ReturnType<typeof context.active>,
    startTime: number | undefined,
  ): Span {
    const attributes: Attributes = {
      [ATTR_HTTP_REQUEST_METHOD]: ctx.method,
      [ATTR_SERVICE_PEER_NAME]: ctx.serviceName,
    };
    return this.#tracer.startSpan(
      this.#nameOf(ctx),
      { kind: SpanKind.CLIENT, attributes, startTime },
      parent,
    );
  }

  /** The `spanName` option's name, else (or when it throws or gives no string) the method. */
  #nameOf(ctx: RequestContext): string {
    if (this.#spanName === undefined) return ctx.method;
    try {
      const name = this.#spanName(ctx);
      if (typeof name === 'string' && name !== '') return name;
      diag.error(
        `${this.name}: spanName returned ${typeof name === 'string' ? 'an empty string' : typeof name}; the span is named after the method`,
      );
    } catch (error) {
      diag.error(`${this.name}: spanName threw; the span is named after the method`, error);
    }
    return ctx.method;
  }

  /** Everything known once the call ended: the instance, the URL, the status and the outcome. */
  #describe(span: Span, ctx: RequestContext, outcome: CallOutcome): void {
    const instance = ctx.selectedInstance;
    if (instance !== undefined) {
      span.setAttribute(ATTR_SERVER_ADDRESS, instance.host);
      span.setAttribute(ATTR_SERVER_PORT, instance.port);
      span.setAttribute(ATTR_INSTANCE_ID, instance.id);
    }
    if (ctx.resolvedUrl !== undefined)
      span.setAttribute(ATTR_URL_FULL, this.#redactor.redact(ctx.resolvedUrl));
    const status = ctx.response?.status;
    if (status !== undefined) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    if (outcome.kind !== 'error') return;
    span.setAttribute(ATTR_ERROR_TYPE, outcome.errorType!);
    if (ctx.error === undefined && outcome.error !== undefined) span.setAttribute(ATTR_FALLBACK, true);
    // The conventions: no description when the status code says it all.
    const message = status !== undefined && status >= 400 ? undefined : messageOf(outcome.error);
    span.setStatus(
      message === undefined
        ? { code: SpanStatusCode.ERROR }
        : { code: SpanStatusCode.ERROR, message: this.#redactor.redact(message) },
    );
  }

  #recordDuration(ctx: RequestContext, outcome: CallOutcome): void {
    const attributes: Attributes = { [ATTR_HTTP_REQUEST_METHOD]: ctx.method };
    const instance = ctx.selectedInstance;
    if (instance !== undefined) {
      attributes[ATTR_SERVER_ADDRESS] = instance.host;
      attributes[ATTR_SERVER_PORT] = instance.port;
    }
    const status = ctx.response?.status;
    if (status !== undefined) attributes[ATTR_HTTP_RESPONSE_STATUS_CODE] = status;
    if (outcome.kind === 'error') attributes[ATTR_ERROR_TYPE] = outcome.errorType;
    const ms = ctx.duration ?? performance.now() - ctx.startTime;
    this.#histogram().record(ms / 1000, attributes);
  }

  /**
   * The histogram from the current provider. The global meter provider is looked up per call: an
   * interceptor made before the SDK was set up would otherwise record into the no-op meter forever.
   */
  #histogram(): Histogram {
    const provider = this.#meterProvider === 'global' ? metrics.getMeterProvider() : this.#meterProvider!;
    if (this.#duration === undefined || this.#durationFrom !== provider) {
      this.#durationFrom = provider;
      this.#duration = provider
        .getMeter(INSTRUMENTATION_SCOPE, version)
        .createHistogram(METRIC_HTTP_CLIENT_REQUEST_DURATION, {
          description: 'Duration of HTTP client requests.',
          unit: 's',
          advice: { explicitBucketBoundaries: [...DURATION_BUCKETS_SECONDS] },
        });
    }
    return this.#duration;
  }
}

function messageOf(error: unknown): string | undefined {
  if (error instanceof Error) return error.message === '' ? undefined : error.message;
  return undefined;
}
