import { context, propagation } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { MetricReader } from '@opentelemetry/sdk-metrics';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';

/** A metric reader the test collects from when it wants to look (`await reader.collect()`). */
export class PullReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

/** A tracer provider whose finished spans land in memory. */
export interface Tracing {
  readonly provider: TracerProvider;
  readonly exporter: InMemorySpanExporter;
  /** The spans finished so far, oldest first. */
  spans(): ReadableSpan[];
}

export function inMemoryTracing(): Tracing {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  return { provider, exporter, spans: () => exporter.getFinishedSpans() };
}

/**
 * What an application's SDK setup does globally (as `NodeSDK` would): the async-hooks context
 * manager, so that the active span follows `await`, and W3C trace context + baggage as the global
 * propagator. Returns the undo, for `afterAll`.
 */
export function installGlobalContext(): () => void {
  const manager = new AsyncLocalStorageContextManager();
  context.setGlobalContextManager(manager.enable());
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
  return () => {
    propagation.disable();
    context.disable();
  };
}

/** `00-<trace id>-<parent span id>-<flags>`, the W3C `traceparent` header, split; throws when malformed. */
export function parseTraceparent(header: string | string[] | undefined): {
  traceId: string;
  parentId: string;
  flags: string;
} {
  const match =
    typeof header === 'string' ? /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(header) : null;
  if (!match) throw new Error(`not a valid traceparent: ${JSON.stringify(header)}`);
  const [, traceId, parentId, flags] = match as unknown as [string, string, string, string];
  if (/^0+$/.test(traceId) || /^0+$/.test(parentId)) throw new Error(`traceparent with a zero id: ${header}`);
  return { traceId, parentId, flags };
}
