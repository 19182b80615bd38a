import { createRequestContext } from '@service-caller/core/adapter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_LATENCY_BUCKETS, MetricsInterceptor, ServiceManager } from '../src/index.js';
import { echoHandler, startServer, staticConfig, type TestServer } from './support/http-server.js';

describe('MetricsInterceptor through a manager', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer((req, res) => {
      if (req.url.startsWith('/boom')) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('boom');
        return;
      }
      if (req.url.startsWith('/teapot')) {
        res.writeHead(418);
        res.end();
        return;
      }
      echoHandler(req, res);
    });
  });
  afterAll(() => server.close());

  it('counts calls, successes, errors by type and status, and latency per service', async () => {
    const metrics = new MetricsInterceptor();
    await using manager = await ServiceManager.create({
      config: staticConfig({ good: [server], bad: [server] }),
      interceptors: [metrics],
    });
    for (let i = 0; i < 3; i++) await manager.get('good', '/ok');
    await expect(manager.get('bad', '/boom')).rejects.toMatchObject({ status: 500 });
    await expect(manager.get('bad', '/boom')).rejects.toMatchObject({ status: 500 });
    await expect(manager.get('bad', '/teapot')).rejects.toMatchObject({ status: 418 });
    await expect(manager.get('nowhere', '/x')).rejects.toMatchObject({ name: 'ServiceUnavailableError' });

    const { services } = metrics.snapshot();
    expect(Object.keys(services).sort()).toEqual(['bad', 'good', 'nowhere']);
    expect(services.good).toMatchObject({ count: 3, successes: 3, errors: 0, fallbacks: 0 });
    expect(services.good?.errorsByType).toEqual({});
    expect(services.bad).toMatchObject({ count: 3, successes: 0, errors: 3 });
    expect(services.bad?.errorsByType).toEqual({ HttpStatusError: 3 });
    expect(services.bad?.errorsByStatus).toEqual({ '500': 2, '418': 1 });
    expect(services.nowhere?.errorsByType).toEqual({ ServiceUnavailableError: 1 });
    expect(services.nowhere?.errorsByStatus).toEqual({});

    const latency = services.good!.latency;
    expect(latency.count).toBe(3);
    expect(latency.buckets.map((b) => b.le)).toEqual([...DEFAULT_LATENCY_BUCKETS, '+Inf']);
    expect(latency.buckets.at(-1)?.count).toBe(3);
    for (let i = 1; i < latency.buckets.length; i++) {
      expect(latency.buckets[i]!.count).toBeGreaterThanOrEqual(latency.buckets[i - 1]!.count);
    }
    expect(latency.sum).toBeGreaterThan(0);
    expect(latency.min).toBeGreaterThan(0);
    expect(latency.min).toBeLessThanOrEqual(latency.max);
    expect(latency.sum).toBeGreaterThanOrEqual(latency.max);
  });

  it('counts a failure that a fallback handled as an error and a fallback', async () => {
    const metrics = new MetricsInterceptor();
    await using manager = await ServiceManager.create({
      config: staticConfig({ svc: [server] }),
      interceptors: [
        metrics,
        {
          name: 'fallback',
          handleException(ctx) {
            ctx.error = undefined;
            ctx.result = 'cached';
          },
        },
      ],
    });
    await expect(manager.get('svc', '/boom')).resolves.toBe('cached');
    expect(metrics.snapshot().services.svc).toMatchObject({
      count: 1,
      successes: 0,
      errors: 1,
      fallbacks: 1,
      errorsByStatus: { '500': 1 },
    });
  });

  it('hands out a plain, detached snapshot and forgets everything on reset', async () => {
    const metrics = new MetricsInterceptor();
    await using manager = await ServiceManager.create({
      config: staticConfig({ svc: [server] }),
      interceptors: [metrics],
    });
    await manager.get('svc', '/ok');
    const first = metrics.snapshot();
    expect(JSON.parse(JSON.stringify(first))).toEqual(first);
    await manager.get('svc', '/ok');
    expect(first.services.svc?.count).toBe(1);
    expect(metrics.snapshot().services.svc?.count).toBe(2);
    metrics.reset();
    expect(metrics.snapshot()).toEqual({ services: {} });
  });
});

describe('MetricsInterceptor histogram', () => {
  function finished(serviceName: string, durationMs: number) {
    const ctx = createRequestContext({ method: 'GET', serviceName, path: '/' });
    ctx.duration = durationMs;
    return ctx;
  }

  it('puts each duration in the first bucket whose bound it does not exceed, cumulatively', () => {
    const metrics = new MetricsInterceptor({ buckets: [10, 100] });
    for (const ms of [5, 10, 50, 100.5, 1000]) metrics.afterResponse(finished('svc', ms));
    expect(metrics.snapshot().services.svc?.latency).toEqual({
      buckets: [
        { le: 10, count: 2 },
        { le: 100, count: 3 },
        { le: '+Inf', count: 5 },
      ],
      count: 5,
      sum: 1165.5,
      min: 5,
      max: 1000,
    });
  });

  it('keeps services apart, even one named __proto__', () => {
    const metrics = new MetricsInterceptor();
    metrics.afterResponse(finished('__proto__', 1));
    metrics.afterResponse(finished('other', 1));
    const { services } = metrics.snapshot();
    expect(Object.keys(services).sort()).toEqual(['__proto__', 'other']);
    expect(Object.getOwnPropertyDescriptor(services, '__proto__')?.value.count).toBe(1);
  });

  it.each([[[]], [[5, 1]], [[0, 1]], [[1, Number.POSITIVE_INFINITY]], ['1,2']])(
    'refuses buckets %j with a ConfigError',
    (buckets) => {
      expect(() => new MetricsInterceptor({ buckets: buckets as number[] })).toThrow(ConfigError);
    },
  );
});
