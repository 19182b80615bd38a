import {
  type DataPoint,
  type Histogram,
  type HistogramMetricData,
  MeterProvider,
} from '@opentelemetry/sdk-metrics';
import { closedPort, startTestService, type TestService } from '@service-caller/testkit';
import { undiciTransport } from '@service-caller/transport-undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DURATION_BUCKETS_SECONDS, INSTRUMENTATION_SCOPE, otelInterceptor } from '../src/index.js';
import { inMemoryTracing, PullReader } from './support/sdk.js';

let downstream: TestService;
let refusedPort: number;

beforeAll(async () => {
  downstream = await startTestService({ name: 'downstream' });
  refusedPort = await closedPort();
});

afterAll(() => downstream.close());

describe('otelInterceptor: the http.client.request.duration histogram', () => {
  it('records every call in seconds, with the conventions attributes and advised buckets', async () => {
    const reader = new PullReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const engine = downstream.callEngine({
      transport: undiciTransport(),
      interceptors: [
        otelInterceptor({ tracerProvider: inMemoryTracing().provider, metrics: true, meterProvider }),
      ],
      services: { refused: [{ host: '127.0.0.1', port: refusedPort }] },
    });
    try {
      for (let i = 0; i < 3; i++) await engine.request('GET', 'downstream', '/ok');
      await expect(engine.request('GET', 'downstream', '/status/500')).rejects.toThrow();
      await expect(engine.request('POST', 'refused', '/x')).rejects.toThrow();
    } finally {
      await engine.close();
    }

    const { resourceMetrics, errors } = await reader.collect();
    expect(errors).toEqual([]);
    const scope = resourceMetrics.scopeMetrics.find((s) => s.scope.name === INSTRUMENTATION_SCOPE)!;
    expect(scope.scope.version).toMatch(/^\d+\.\d+\.\d+/);
    const metric = scope.metrics.find(
      (m) => m.descriptor.name === 'http.client.request.duration',
    ) as HistogramMetricData;
    expect(metric.descriptor.unit).toBe('s');
    const points = metric.dataPoints as DataPoint<Histogram>[];
    const byAttributes = (attributes: Record<string, unknown>) =>
      points.find((p) => JSON.stringify(p.attributes) === JSON.stringify(attributes));

    const ok = byAttributes({
      'http.request.method': 'GET',
      'server.address': '127.0.0.1',
      'server.port': downstream.port,
      'http.response.status_code': 200,
    });
    expect(ok?.value.count).toBe(3);
    expect(ok?.value.buckets.boundaries).toEqual(DURATION_BUCKETS_SECONDS);
    // Local calls take well under a second: every one is in the buckets, none past 10 s.
    expect(ok!.value.buckets.counts.at(-1)).toBe(0);
    expect(ok!.value.sum).toBeGreaterThan(0);
    expect(ok!.value.sum).toBeLessThan(3 * 10);

    expect(
      byAttributes({
        'http.request.method': 'GET',
        'server.address': '127.0.0.1',
        'server.port': downstream.port,
        'http.response.status_code': 500,
        'error.type': '500',
      })?.value.count,
    ).toBe(1);
    expect(
      byAttributes({
        'http.request.method': 'POST',
        'server.address': '127.0.0.1',
        'server.port': refusedPort,
        'error.type': 'ConnectionError',
      })?.value.count,
    ).toBe(1);
    expect(points).toHaveLength(3);
    await meterProvider.shutdown();
  });

  it('records the durations without a tracing SDK too (no span is made, the meter still records)', async () => {
    const reader = new PullReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    // No tracerProvider: the global one, which has no SDK behind it in this file.
    const engine = downstream.callEngine({
      transport: undiciTransport(),
      interceptors: [otelInterceptor({ metrics: true, meterProvider })],
    });
    await engine.request('GET', 'downstream', '/ok');
    await engine.request('GET', 'downstream', '/ok');
    const { resourceMetrics } = await reader.collect();
    const points = resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .filter((m) => m.descriptor.name === 'http.client.request.duration')
      .flatMap((m) => m.dataPoints as DataPoint<Histogram>[]);
    expect(points.map((p) => p.value.count)).toEqual([2]);
    await meterProvider.shutdown();
  });
});

describe('otelInterceptor: the service_caller.client.ejections counter', () => {
  it('counts the instance outlier ejection takes out, with the service, the instance and the reason', async () => {
    const reader = new PullReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const engine = downstream.callEngine({
      transport: undiciTransport(),
      retry: false,
      interceptors: [
        otelInterceptor({ tracerProvider: inMemoryTracing().provider, metrics: true, meterProvider }),
      ],
      services: {
        downstream: [
          { host: '127.0.0.1', port: downstream.port },
          { host: '127.0.0.1', port: refusedPort },
        ],
      },
    });
    try {
      // One after another: the refused instance is met once, then ejected.
      let failed = 0;
      for (let i = 0; i < 6; i++) await engine.request('GET', 'downstream', '/ok').catch(() => failed++);
      expect(failed).toBe(1);
    } finally {
      await engine.close();
    }
    const { resourceMetrics, errors } = await reader.collect();
    expect(errors).toEqual([]);
    const scope = resourceMetrics.scopeMetrics.find((s) => s.scope.name === INSTRUMENTATION_SCOPE)!;
    const metric = scope.metrics.find((m) => m.descriptor.name === 'service_caller.client.ejections')!;
    expect(metric.descriptor.unit).toBe('{instance}');
    expect(metric.dataPoints.map((p) => [p.attributes, p.value])).toEqual([
      [
        {
          'service.peer.name': 'downstream',
          'server.address': '127.0.0.1',
          'server.port': refusedPort,
          'service_caller.ejection.reason': 'connect-failure',
        },
        1,
      ],
    ]);
  });

  it('records nothing without metrics: true', () => {
    const interceptor = otelInterceptor({ tracerProvider: inMemoryTracing().provider });
    const instance = {
      id: 'x',
      serviceName: 's',
      host: 'h',
      port: 1,
      weight: 1,
      healthy: true,
      metadata: {},
    };
    expect(() =>
      interceptor.onEjection?.({
        type: 'ejected',
        serviceName: 's',
        instance,
        reason: 'connect-failure',
        consecutiveFailures: 1,
        ejections: 1,
        durationMs: 1,
        at: 0,
      }),
    ).not.toThrow();
  });
});
