import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { ConnectionError, type RawResponse, type ServiceInstance } from '@service-caller/core';
import { createRequestContext, finishAttempt, startAttempt } from '@service-caller/core/adapter';
import { closedPort, startTestService, type TestService } from '@service-caller/testkit';
import { undiciTransport } from '@service-caller/transport-undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otelInterceptor } from '../src/index.js';
import { inMemoryTracing, PullReader, parseTraceparent } from './support/sdk.js';

// A call that retried, twice: through core's real engine (which retries a refused connection on
// another instance by default) to a real server, and played through the hooks by hand with core's
// own attempt records (startAttempt / finishAttempt), which pins the hooks' contract (each
// attempt's own headers, its end time, its duration) without the engine's timing.

let downstream: TestService;
let refusedPort: number;

beforeAll(async () => {
  downstream = await startTestService({ name: 'downstream' });
  refusedPort = await closedPort();
});

afterAll(() => downstream.close());

function instanceOn(port: number): ServiceInstance {
  return {
    id: `127.0.0.1:${port}`,
    serviceName: 'svc',
    host: '127.0.0.1',
    port,
    weight: 1,
    healthy: true,
    metadata: {},
  };
}

describe('otelInterceptor: a call that retried', () => {
  it('through the engine: a child span per attempt, the downstream seeing the answered one in the trace', async () => {
    const tracing = inMemoryTracing();
    // Two instances, the refused one first: a fresh round robin starts at the registry's first,
    // and the engine's default retry takes a refused connection to the other one.
    const engine = downstream.callEngine({
      transport: undiciTransport(),
      interceptors: [
        otelInterceptor({ tracerProvider: tracing.provider, propagator: new W3CTraceContextPropagator() }),
      ],
      services: {
        downstream: [
          { host: '127.0.0.1', port: refusedPort },
          { host: '127.0.0.1', port: downstream.port },
        ],
      },
    });
    await expect(engine.request('GET', 'downstream', '/items')).resolves.toEqual({ ok: true });

    const spans = tracing.spans();
    const calls = spans.filter((s) => s.kind === SpanKind.INTERNAL);
    expect(calls, 'one call span').toHaveLength(1);
    const call = calls[0]!;
    const attempts = spans.filter((s) => s.kind === SpanKind.CLIENT);
    expect(attempts.map((s) => s.attributes['server.port'])).toEqual([refusedPort, downstream.port]);
    for (const span of attempts) {
      expect(span.parentSpanContext?.spanId, `${span.name} is a child of the call span`).toBe(
        call.spanContext().spanId,
      );
      expect(span.spanContext().traceId).toBe(call.spanContext().traceId);
    }
    const [refused, answered] = attempts as [(typeof attempts)[0], (typeof attempts)[0]];
    expect(refused.attributes['error.type']).toBe('ConnectionError');
    expect(refused.status.code).toBe(SpanStatusCode.ERROR);
    expect(refused.attributes).not.toHaveProperty('http.request.resend_count');
    expect(refused.attributes).not.toHaveProperty('http.response.status_code');
    expect(answered.attributes['http.response.status_code']).toBe(200);
    expect(answered.attributes['http.request.resend_count']).toBe(1);
    expect(answered.status.code).toBe(SpanStatusCode.UNSET);
    expect(call.attributes['service_caller.attempts']).toBe(2);
    expect(call.status.code).toBe(SpanStatusCode.UNSET);

    // The one request that arrived carries the answered attempt's span, in the call's trace.
    expect(downstream.requests).toHaveLength(1);
    const header = parseTraceparent(downstream.only('/items').headers.traceparent);
    expect(header.traceId).toBe(call.spanContext().traceId);
    expect(header.parentId).toBe(answered.spanContext().spanId);
  });

  it('makes one child span per attempt, each with its own trace header and resend count', async () => {
    const tracing = inMemoryTracing();
    const reader = new PullReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const otel = otelInterceptor({
      tracerProvider: tracing.provider,
      propagator: new W3CTraceContextPropagator(),
      metrics: true,
      meterProvider,
    });
    const ctx = createRequestContext({ method: 'GET', serviceName: 'svc', path: '/items?token=abc' });
    otel.beforeRequest!(ctx);

    const first = startAttempt(ctx, instanceOn(8081));
    otel.beforeAttempt!(ctx, first);
    finishAttempt(first, { error: new ConnectionError('connect ECONNREFUSED 127.0.0.1:8081') });
    otel.afterAttempt!(ctx, first);

    const second = startAttempt(ctx, instanceOn(8082));
    otel.beforeAttempt!(ctx, second);
    finishAttempt(second, { status: 200 });
    otel.afterAttempt!(ctx, second);

    ctx.response = { status: 200 } as RawResponse;
    ctx.endTime = performance.now();
    ctx.duration = ctx.endTime - ctx.startTime;
    otel.afterResponse!(ctx);

    const spans = tracing.spans();
    const call = spans.find((s) => s.kind === SpanKind.INTERNAL)!;
    const attempts = spans.filter((s) => s.kind === SpanKind.CLIENT);
    expect(attempts.map((s) => s.attributes['server.port'])).toEqual([8081, 8082]);
    for (const span of attempts) {
      expect(span.parentSpanContext?.spanId).toBe(call.spanContext().spanId);
      expect(span.attributes['url.full']).toMatch(/\/items\?token=REDACTED$/);
    }
    const [refused, answered] = attempts as [(typeof attempts)[0], (typeof attempts)[0]];
    expect(refused.attributes).not.toHaveProperty('http.request.resend_count');
    expect(refused.attributes['error.type']).toBe('ConnectionError');
    expect(refused.status.code).toBe(SpanStatusCode.ERROR);
    expect(answered.attributes['http.request.resend_count']).toBe(1);
    expect(answered.attributes['http.response.status_code']).toBe(200);
    expect(answered.status.code).toBe(SpanStatusCode.UNSET);
    // The call succeeded: a retried failure is no error of the call.
    expect(call.status.code).toBe(SpanStatusCode.UNSET);
    expect(call.attributes['service_caller.attempts']).toBe(2);

    // Each attempt sent its own span's id, in the call's trace.
    for (const [attempt, span] of [
      [first, refused],
      [second, answered],
    ] as const) {
      const header = parseTraceparent(attempt.headers.traceparent);
      expect(header.parentId).toBe(span.spanContext().spanId);
      expect(header.traceId).toBe(call.spanContext().traceId);
    }
    // The call's own headers carry none: only the attempts' copies do.
    expect(ctx.options.headers).not.toHaveProperty('traceparent');
    // Spans end at the attempts' own end times.
    for (const [attempt, span] of [
      [first, refused],
      [second, answered],
    ] as const) {
      const endMs = span.endTime[0] * 1e3 + span.endTime[1] / 1e6;
      expect(Math.abs(endMs - (performance.timeOrigin + attempt.endTime!))).toBeLessThan(1);
    }

    // One duration per attempt.
    const { resourceMetrics } = await reader.collect();
    const points = resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .filter((m) => m.descriptor.name === 'http.client.request.duration')
      .flatMap((m) => m.dataPoints as readonly { attributes: Record<string, unknown>; value: unknown }[]);
    expect(
      points.map((p) => [
        p.attributes['server.port'],
        p.attributes['error.type'] ?? p.attributes['http.response.status_code'],
      ]),
    ).toEqual([
      [8081, 'ConnectionError'],
      [8082, 200],
    ]);
    await meterProvider.shutdown();
  });
});
