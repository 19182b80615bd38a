import { metrics, trace } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { ServiceInterceptor } from '@service-caller/core';
import { startTestService, type TestService } from '@service-caller/testkit';
import { undiciTransport } from '@service-caller/transport-undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otelInterceptor } from '../src/index.js';
import { inMemoryTracing, installGlobalContext, PullReader, parseTraceparent } from './support/sdk.js';

let downstream: TestService;

beforeAll(async () => {
  downstream = await startTestService({ name: 'downstream' });
});

afterAll(() => downstream.close());

async function call(interceptor: ServiceInterceptor, path: string): Promise<void> {
  const engine = downstream.callEngine({ transport: undiciTransport(), interceptors: [interceptor] });
  try {
    await engine.request('GET', 'downstream', path);
  } finally {
    await engine.close();
  }
}

// One file for everything global: the API's globals can be set once per process.
describe('otelInterceptor with the global SDK (the defaults)', () => {
  it('costs a no-op span and sends no header before an SDK is set up, then follows the SDK set up later', async () => {
    // Made before any SDK exists, as a module-level interceptor would be.
    const early = otelInterceptor({ metrics: true });
    await call(early, '/before-sdk');
    expect(downstream.only('/before-sdk').headers).not.toHaveProperty('traceparent');

    const tracing = inMemoryTracing();
    const reader = new PullReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const uninstall = installGlobalContext();
    trace.setGlobalTracerProvider(tracing.provider);
    metrics.setGlobalMeterProvider(meterProvider);
    try {
      await call(early, '/after-sdk');
      const [attempt, callSpan] = tracing.spans();
      expect([attempt?.name, callSpan?.name]).toEqual(['GET', 'GET downstream']);
      const header = parseTraceparent(downstream.only('/after-sdk').headers.traceparent);
      expect(header.traceId).toBe(callSpan!.spanContext().traceId);
      expect(header.parentId).toBe(attempt!.spanContext().spanId);

      // Without metrics: true nothing reaches the global meter.
      await call(otelInterceptor(), '/no-metrics');
      expect(tracing.spans()).toHaveLength(4);
      const { resourceMetrics } = await reader.collect();
      const points = resourceMetrics.scopeMetrics.flatMap((s) =>
        s.metrics
          .filter((m) => m.descriptor.name === 'http.client.request.duration')
          .flatMap((m) => m.dataPoints as readonly { value: unknown }[]),
      );
      const counts = points.map((p) => (p.value as { count: number }).count);
      expect(counts).toEqual([1]);
    } finally {
      await meterProvider.shutdown();
      trace.disable();
      metrics.disable();
      uninstall();
    }
  });
});
