import {
  type Attributes,
  type Context,
  type Counter,
  context,
  diag,
  type Histogram,
  isSpanContextValid,
  type MeterProvider,
  metrics,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapSetter,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { CallAttempt, EjectionEvent, RequestContext, ServiceInterceptor } from '@service-caller/core';
import { version } from '../package.json';
import { type CallOutcome, callOutcome } from './call-outcome.js';
import {
  type HeaderInjector,
  type NormalizedOtelOptions,
  normalizeOptions,
  type OtelInterceptorOptions,
} from './options.js';
import {
  ATTR_ATTEMPTS,
  ATTR_EJECTION_REASON,
  ATTR_ERROR_TYPE,
  ATTR_FALLBACK,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_RESEND_COUNT,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_INSTANCE_ID,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_SERVICE_PEER_NAME,
  ATTR_URL_FULL,
  DURATION_BUCKETS_SECONDS,
  METRIC_EJECTIONS,
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
 * An interceptor that traces every call with OpenTelemetry, as the HTTP client semantic
 * conventions describe a client that resends: one CLIENT span per attempt (per HTTP request
 * sent), each the child of one INTERNAL span for the call, with the W3C trace context and baggage
 * of its attempt injected into that attempt's headers through the propagator; optionally the
 * `http.client.request.duration` histogram, one value per attempt, and the
 * `service_caller.client.ejections` counter (instances outlier ejection took out, with
 * `service.peer.name`, `server.address`, `server.port` and `service_caller.ejection.reason`). Built on `@opentelemetry/api`
 * alone: without an SDK set up it costs a no-op span per call (and makes no attempt span).
 *
 * An attempt span (named `{method}`) holds `http.request.method`, `service.peer.name` (the
 * service called), `server.address` / `server.port` / `service_caller.instance.id` (the
 * instance chosen), `url.full` (secret-looking query values as `REDACTED`),
 * `http.request.resend_count` from the second attempt on, `http.response.status_code` when a
 * response came, and on failure `error.type` (the status, `'503'`, else the error's class name,
 * `TimeoutError`) with the status `ERROR`. The call span (named `{method} {service}`) holds the
 * method, the service, `service_caller.attempts`, and the call's own outcome the same way; a
 * failure that a later interceptor turned into a result keeps its error and gets
 * `service_caller.fallback: true`. A call or attempt the caller cancelled through its own signal
 * is no error.
 *
 * The call span starts in `beforeRequest` (parented on the active context) and ends in
 * `afterResponse`; an attempt span starts in `beforeAttempt` and ends when the attempt's outcome
 * is known (`afterAttempt`), except for a raw call, whose last attempt ends when its headers
 * arrived (the conventions: a client span does not wait for the body the caller may never read).
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
  /** The ejections counter, and the provider it was made from. */
  #ejections: Counter | undefined;
  #ejectionsFrom: MeterProvider | undefined;
  readonly #spanName: ((ctx: RequestContext) => string) | undefined;
  readonly #redactor: QueryRedactor;
  /** The call span of each call in flight. Weak: a call that never ends holds nothing. */
  readonly #calls = new WeakMap<RequestContext, Span>();
  /** The span of each attempt in flight; `undefined` for an attempt begun without an SDK. */
  readonly #attempts = new WeakMap<CallAttempt, Span | undefined>();
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
    this.#calls.set(ctx, this.#startCallSpan(ctx, undefined));
  }

  beforeAttempt(ctx: RequestContext, attempt: CallAttempt): void {
    const call = this.#calls.get(ctx);
    const active = context.active();
    if (call !== undefined && !call.isRecording() && !isSpanContextValid(call.spanContext())) {
      // No SDK (the API's no-op tracer): no span to make, only the baggage to pass on.
      this.#attempts.set(attempt, undefined);
      this.#inject(active, attempt);
      return;
    }
    const parent = call === undefined ? active : trace.setSpan(active, call);
    const instance = attempt.instance;
    const attributes: Attributes = {
      [ATTR_HTTP_REQUEST_METHOD]: ctx.method,
      [ATTR_SERVICE_PEER_NAME]: ctx.serviceName,
      [ATTR_SERVER_ADDRESS]: instance.host,
      [ATTR_SERVER_PORT]: instance.port,
      [ATTR_INSTANCE_ID]: instance.id,
      [ATTR_URL_FULL]: this.#redactor.redact(attempt.url),
    };
    if (attempt.number > 1) attributes[ATTR_HTTP_REQUEST_RESEND_COUNT] = attempt.number - 1;
    const span = this.#tracer.startSpan(this.#nameOf(ctx), { kind: SpanKind.CLIENT, attributes }, parent);
    this.#attempts.set(attempt, span);
    this.#inject(trace.setSpan(parent, span), attempt);
  }

  /** Writes the trace context and baggage into the attempt's own copy of the headers. */
  #inject(carrierContext: Context, attempt: CallAttempt): void {
    if (this.#propagator === undefined) return;
    try {
      this.#propagator.inject(carrierContext, attempt.headers, HEADER_SETTER);
    } catch (error) {
      // Telemetry never fails a call: reported where OpenTelemetry reports its own troubles.
      diag.error(`${this.name}: the propagator threw; the attempt goes without trace headers`, error);
    }
  }

  afterAttempt(ctx: RequestContext, attempt: CallAttempt): void {
    const end = attempt.endTime === undefined ? undefined : performance.timeOrigin + attempt.endTime;
    this.#endAttempt(ctx, attempt, attempt.status, attempt.error, end, attempt.latencyMs);
  }

  handleException(ctx: RequestContext): void {
    if (ctx.error !== undefined) this.#failures.set(ctx, ctx.error);
  }

  afterResponse(ctx: RequestContext): void {
    let span = this.#calls.get(ctx);
    if (span === undefined) {
      // An earlier interceptor's beforeRequest threw, so ours never ran: the failed call still
      // gets its span, dated from the call's start.
      span = this.#startCallSpan(ctx, performance.timeOrigin + ctx.startTime);
    } else {
      this.#calls.delete(ctx);
    }
    if (ctx.raw) this.#endRawAttempt(ctx);
    const failure = ctx.error === undefined ? this.#failures.get(ctx) : ctx.error;
    const outcome = callOutcome(ctx, ctx.response?.status, failure);
    if (span.isRecording()) {
      span.setAttribute(ATTR_ATTEMPTS, ctx.attempts.length);
      if (ctx.error === undefined && failure !== undefined) span.setAttribute(ATTR_FALLBACK, true);
      this.#setOutcome(span, outcome, ctx.response?.status);
    }
    span.end();
  }

  /**
   * A raw call's attempt lasts until the caller has read the body; its span ends when the
   * headers arrived, as the conventions ask of a client span (the body may never be read).
   */
  #endRawAttempt(ctx: RequestContext): void {
    const attempts = ctx.attempts;
    const last = attempts[attempts.length - 1];
    if (last === undefined || !this.#attempts.has(last)) return;
    // A failed attempt has ended already (afterAttempt); what is open got its headers.
    const arrived = ctx.responseTime ?? performance.now();
    const status = ctx.response?.status;
    this.#endAttempt(
      ctx,
      last,
      status,
      undefined,
      performance.timeOrigin + arrived,
      arrived - last.startTime,
    );
  }

  #endAttempt(
    ctx: RequestContext,
    attempt: CallAttempt,
    status: number | undefined,
    error: unknown,
    endTime: number | undefined,
    latencyMs: number | undefined,
  ): void {
    // Ours (begun in beforeAttempt), not ended yet (a raw call's may have ended at its headers).
    if (!this.#attempts.has(attempt)) return;
    const span = this.#attempts.get(attempt);
    this.#attempts.delete(attempt);
    const outcome = callOutcome(ctx, status, error);
    if (span !== undefined) {
      if (span.isRecording()) {
        if (status !== undefined) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
        this.#setOutcome(span, outcome, status);
      }
      span.end(endTime);
    }
    if (this.#meterProvider !== undefined && latencyMs !== undefined) {
      this.#recordDuration(ctx, attempt, status, outcome, latencyMs);
    }
  }

  #startCallSpan(ctx: RequestContext, startTime: number | undefined): Span {
    const attributes: Attributes = {
      [ATTR_HTTP_REQUEST_METHOD]: ctx.method,
      [ATTR_SERVICE_PEER_NAME]: ctx.serviceName,
    };
    return this.#tracer.startSpan(
      `${ctx.method} ${ctx.serviceName}`,
      { kind: SpanKind.INTERNAL, attributes, startTime },
      context.active(),
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

  /** `error.type` and the status `ERROR` for a failure; nothing for a success or a cancellation. */
  #setOutcome(span: Span, outcome: CallOutcome, status: number | undefined): void {
    if (outcome.kind !== 'error') return;
    span.setAttribute(ATTR_ERROR_TYPE, outcome.errorType!);
    // The conventions: no description when the status code says it all.
    const message = status !== undefined && status >= 400 ? undefined : messageOf(outcome.error);
    span.setStatus(
      message === undefined
        ? { code: SpanStatusCode.ERROR }
        : { code: SpanStatusCode.ERROR, message: this.#redactor.redact(message) },
    );
  }

  #recordDuration(
    ctx: RequestContext,
    attempt: CallAttempt,
    status: number | undefined,
    outcome: CallOutcome,
    latencyMs: number,
  ): void {
    const attributes: Attributes = {
      [ATTR_HTTP_REQUEST_METHOD]: ctx.method,
      [ATTR_SERVER_ADDRESS]: attempt.instance.host,
      [ATTR_SERVER_PORT]: attempt.instance.port,
    };
    if (status !== undefined) attributes[ATTR_HTTP_RESPONSE_STATUS_CODE] = status;
    if (outcome.kind === 'error') attributes[ATTR_ERROR_TYPE] = outcome.errorType;
    this.#histogram().record(latencyMs / 1000, attributes);
  }

  onEjection(event: EjectionEvent): void {
    if (this.#meterProvider === undefined || event.type !== 'ejected') return;
    const provider = this.#provider();
    if (this.#ejections === undefined || this.#ejectionsFrom !== provider) {
      this.#ejectionsFrom = provider;
      this.#ejections = provider.getMeter(INSTRUMENTATION_SCOPE, version).createCounter(METRIC_EJECTIONS, {
        description:
          'Instances outlier ejection took out of their service (calls stop going there for a while).',
        unit: '{instance}',
      });
    }
    this.#ejections.add(1, {
      [ATTR_SERVICE_PEER_NAME]: event.serviceName,
      [ATTR_SERVER_ADDRESS]: event.instance.host,
      [ATTR_SERVER_PORT]: event.instance.port,
      [ATTR_EJECTION_REASON]: event.reason,
    });
  }

  /** The meter provider now: the given one, or the global one as it is now. */
  #provider(): MeterProvider {
    return this.#meterProvider === 'global' ? metrics.getMeterProvider() : this.#meterProvider!;
  }

  /**
   * The histogram from the current provider. The global meter provider is looked up per call: an
   * interceptor made before the SDK was set up would otherwise record into the no-op meter forever.
   */
  #histogram(): Histogram {
    const provider = this.#provider();
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
