import { context, propagation, SpanKind, type Tracer, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ServiceInterceptor } from '@service-caller/core';
import { otelInterceptor } from '@service-caller/interceptor-otel';
import { prometheusInterceptor } from '@service-caller/interceptor-prometheus';
import { Registry } from 'prom-client';

/** What `pnpm demo --observe` adds: tracing and metrics, both kept in this process. */
export interface Observability {
  /** The otel and Prometheus interceptors, to add to every manager (shared: one registry). */
  readonly interceptors: readonly ServiceInterceptor[];
  /** The demo's own tracer, for the parent span of each strategy's calls. */
  readonly tracer: Tracer;
  /** One line on the spans the calls made. */
  spanSummary(): string;
  /** The Prometheus text a scrape of the registry would read. */
  metricsText(): Promise<string>;
  /** Flushes and unregisters the SDK. */
  shutdown(): Promise<void>;
}

/**
 * Sets up what an application would: an OpenTelemetry SDK (here with an in-memory exporter
 * instead of an OTLP one, the async-hooks context manager and the W3C propagators, registered
 * globally) and a prom-client registry, and makes the two interceptors on them. The otel
 * interceptor takes the global SDK, as in an application; the Prometheus one its own registry.
 */
export function startObservability(): Observability {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
  const registry = new Registry();
  return {
    interceptors: [otelInterceptor(), prometheusInterceptor({ registry })],
    tracer: trace.getTracer('service-caller-demo'),
    spanSummary() {
      const spans = exporter.getFinishedSpans();
      const ours = spans.filter((s) => s.instrumentationScope.name === '@service-caller/interceptor-otel');
      const calls = ours.filter((s) => s.kind === SpanKind.INTERNAL).length;
      const attempts = ours.filter((s) => s.kind === SpanKind.CLIENT);
      const traces = new Set(spans.map((s) => s.spanContext().traceId));
      const errors = attempts.filter((s) => s.attributes['error.type'] !== undefined).length;
      return `OpenTelemetry: ${calls} call spans with ${attempts.length} CLIENT attempt spans (${errors} with error.type) in ${traces.size} traces, kept by an in-memory exporter`;
    },
    metricsText: () => registry.metrics(),
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}
