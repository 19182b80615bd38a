import {
  context,
  DiagLogLevel,
  diag,
  propagation,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import {
  type CallEngine,
  HttpStatusError,
  isConfigError,
  type ServiceInterceptor,
} from '@service-caller/core';
import { closedPort, startTestService, type TestService, waitFor } from '@service-caller/testkit';
import { undiciTransport } from '@service-caller/transport-undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { INSTRUMENTATION_SCOPE, otelInterceptor } from '../src/index.js';
import { inMemoryTracing, installGlobalContext, parseTraceparent, type Tracing } from './support/sdk.js';

let downstream: TestService;
let refusedPort: number;
let uninstall: () => void;

beforeAll(async () => {
  uninstall = installGlobalContext();
  downstream = await startTestService({ name: 'downstream' });
  refusedPort = await closedPort();
});

afterAll(async () => {
  await downstream.close();
  uninstall();
});

afterEach(() => {
  downstream.requests.length = 0;
});

/** A real engine: static registry -> round robin -> undici -> the downstream server on 127.0.0.1. */
function engineWith(interceptors: ServiceInterceptor[]): CallEngine {
  return downstream.callEngine({
    transport: undiciTransport(),
    interceptors,
    services: { refused: [{ host: '127.0.0.1', port: refusedPort }] },
  });
}

function traced(options: Parameters<typeof otelInterceptor>[0] = {}): {
  tracing: Tracing;
  engine: CallEngine;
} {
  const tracing = inMemoryTracing();
  const engine = engineWith([otelInterceptor({ tracerProvider: tracing.provider, ...options })]);
  return { tracing, engine };
}

function onlySpan(tracing: Tracing): ReadableSpan {
  const spans = tracing.spans();
  expect(spans).toHaveLength(1);
  return spans[0]!;
}

describe('otelInterceptor: the CLIENT span of a call', () => {
  it('names, kinds and attributes a successful call per the HTTP client conventions', async () => {
    const { tracing, engine } = traced();
    await expect(engine.request('GET', 'downstream', '/hello')).resolves.toEqual({ ok: true });
    const span = onlySpan(tracing);
    expect(span.name).toBe('GET');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.instrumentationScope.name).toBe(INSTRUMENTATION_SCOPE);
    expect(span.attributes).toEqual({
      'http.request.method': 'GET',
      'service.peer.name': 'downstream',
      'server.address': '127.0.0.1',
      'server.port': downstream.port,
      'service_caller.instance.id': `127.0.0.1:${downstream.port}`,
      'url.full': `http://127.0.0.1:${downstream.port}/hello`,
      'http.response.status_code': 200,
    });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.ended).toBe(true);
    expect(span.parentSpanContext).toBeUndefined();
  });

  it('sends the downstream a valid traceparent naming this span, in the same trace', async () => {
    const { tracing, engine } = traced();
    await engine.request('POST', 'downstream', '/orders', { json: { id: 1 } });
    const span = onlySpan(tracing);
    const header = parseTraceparent(downstream.only('/orders').headers.traceparent);
    expect(header.traceId).toBe(span.spanContext().traceId);
    expect(header.parentId).toBe(span.spanContext().spanId);
    expect(header.flags).toBe('01');
    expect(span.name).toBe('POST');
  });

  it('is the child of the span active when the call is made', async () => {
    const { tracing, engine } = traced();
    const tracer = tracing.provider.getTracer('test');
    let parent: SpanContext | undefined;
    await tracer.startActiveSpan('handle request', async (span) => {
      parent = span.spanContext();
      await engine.request('GET', 'downstream', '/child');
      span.end();
    });
    const client = tracing.spans().find((s) => s.kind === SpanKind.CLIENT)!;
    expect(client.parentSpanContext?.spanId).toBe(parent!.spanId);
    expect(client.spanContext().traceId).toBe(parent!.traceId);
    expect(parseTraceparent(downstream.only('/child').headers.traceparent).traceId).toBe(parent!.traceId);
  });

  it('injects the active baggage', async () => {
    const { engine } = traced();
    const baggage = propagation.createBaggage({ tenant: { value: 'acme' }, region: { value: 'eu-1' } });
    await context.with(propagation.setBaggage(context.active(), baggage), () =>
      engine.request('GET', 'downstream', '/baggage'),
    );
    const sent = downstream.only('/baggage').headers.baggage;
    expect(String(sent).split(',').sort()).toEqual(['region=eu-1', 'tenant=acme']);
  });

  it('keeps concurrent calls in their own traces', async () => {
    const { tracing, engine } = traced();
    const tracer = tracing.provider.getTracer('test');
    const parents = new Map<string, string>();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        tracer.startActiveSpan(`parent ${i}`, async (span) => {
          parents.set(`/concurrent/${i}`, span.spanContext().traceId);
          await engine.request('GET', 'downstream', `/concurrent/${i}`);
          span.end();
        }),
      ),
    );
    const clients = tracing.spans().filter((s) => s.kind === SpanKind.CLIENT);
    expect(clients).toHaveLength(20);
    for (const [path, traceId] of parents) {
      const received = parseTraceparent(downstream.only(path).headers.traceparent);
      expect(received.traceId, path).toBe(traceId);
      const client = clients.find((s) => s.spanContext().spanId === received.parentId)!;
      expect(client.attributes['url.full'], path).toBe(`http://127.0.0.1:${downstream.port}${path}`);
      expect(client.spanContext().traceId).toBe(traceId);
    }
  });

  it('marks a 5xx as an error with error.type set to the status, without a description', async () => {
    const { tracing, engine } = traced();
    await expect(engine.request('GET', 'downstream', '/status/503')).rejects.toBeInstanceOf(HttpStatusError);
    const span = onlySpan(tracing);
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR });
    expect(span.attributes['error.type']).toBe('503');
    expect(span.attributes['http.response.status_code']).toBe(503);
  });

  it('marks a 4xx as an error on the client span even when the call does not throw for it', async () => {
    const { tracing, engine } = traced();
    await expect(
      engine.request('GET', 'downstream', '/status/404', { throwHttpErrors: false }),
    ).resolves.toEqual({ status: 404 });
    const span = onlySpan(tracing);
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('404');
  });

  it('names a refused connection by its error class, with the message, and no status code', async () => {
    const { tracing, engine } = traced();
    const error = await engine.request('GET', 'refused', '/x').catch((e: unknown) => e);
    expect((error as Error).name).toBe('ConnectionError');
    const span = onlySpan(tracing);
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.status.message).toBe((error as Error).message);
    expect(span.attributes['error.type']).toBe('ConnectionError');
    expect(span.attributes['server.port']).toBe(refusedPort);
    expect(span.attributes).not.toHaveProperty('http.response.status_code');
  });

  it('names a call with no instance to go to, without server attributes', async () => {
    const { tracing, engine } = traced();
    await expect(engine.request('GET', 'nowhere', '/x')).rejects.toThrow(/nowhere/);
    const span = onlySpan(tracing);
    expect(span.attributes['error.type']).toBe('ServiceUnavailableError');
    expect(span.attributes).not.toHaveProperty('server.address');
    expect(span.attributes).not.toHaveProperty('url.full');
  });

  it('names a timeout TimeoutError', async () => {
    const { tracing, engine } = traced();
    await expect(engine.request('GET', 'downstream', '/delay/5000', { timeout: 50 })).rejects.toThrow(
      /timeout/,
    );
    const span = onlySpan(tracing);
    expect(span.attributes['error.type']).toBe('TimeoutError');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
  });

  it("does not count the caller's own cancellation as an error", async () => {
    const { tracing, engine } = traced();
    const controller = new AbortController();
    const call = engine.request('GET', 'downstream', '/delay/5000', { signal: controller.signal });
    await waitFor(() => downstream.requests.some((r) => r.url === '/delay/5000'), {
      message: 'the server seeing /delay/5000',
    });
    controller.abort(new Error('user navigated away'));
    await expect(call).rejects.toThrow('user navigated away');
    const span = onlySpan(tracing);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes).not.toHaveProperty('error.type');
  });

  it('shows secret-looking query values in url.full and the status description as REDACTED', async () => {
    const { tracing, engine } = traced({ sensitiveQueryKeys: ['x-tenant'] });
    const path = '/search?q=shoes&access_token=tok-123&sig=s1gn&X-Amz-Signature=abc&x_tenant=t9&page=2';
    await engine.request('GET', 'downstream', path);
    await expect(engine.request('GET', 'refused', '/login?password=hunter2')).rejects.toThrow(/ECONNREFUSED/);
    const [ok, refused] = tracing.spans();
    expect(ok!.attributes['url.full']).toBe(
      `http://127.0.0.1:${downstream.port}/search?q=shoes&access_token=REDACTED&sig=REDACTED&X-Amz-Signature=REDACTED&x_tenant=REDACTED&page=2`,
    );
    expect(refused!.attributes['url.full']).toBe(`http://127.0.0.1:${refusedPort}/login?password=REDACTED`);
    const everything = JSON.stringify(tracing.spans().map((s) => [s.name, s.attributes, s.status, s.events]));
    for (const secret of ['tok-123', 's1gn', 'abc', 't9', 'hunter2'])
      expect(everything).not.toContain(secret);
  });

  it('keeps a failure that a later interceptor turned into a result, flagged as a fallback', async () => {
    const tracing = inMemoryTracing();
    const fallback: ServiceInterceptor = {
      name: 'fallback',
      handleException(ctx) {
        ctx.error = undefined;
        ctx.result = { cached: true };
      },
    };
    const engine = engineWith([otelInterceptor({ tracerProvider: tracing.provider }), fallback]);
    await expect(engine.request('GET', 'downstream', '/status/502')).resolves.toEqual({ cached: true });
    const span = onlySpan(tracing);
    expect(span.attributes['error.type']).toBe('502');
    expect(span.attributes['service_caller.fallback']).toBe(true);
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('still records a call whose earlier interceptor failed before the request', async () => {
    const tracing = inMemoryTracing();
    const failing: ServiceInterceptor = {
      name: 'token',
      order: -1,
      beforeRequest() {
        throw new Error('token service down');
      },
    };
    const engine = engineWith([failing, otelInterceptor({ tracerProvider: tracing.provider })]);
    await expect(engine.request('GET', 'downstream', '/never')).rejects.toThrow('token service down');
    const span = onlySpan(tracing);
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'token service down' });
    expect(span.attributes['error.type']).toBe('Error');
    expect(downstream.requests).toHaveLength(0);
  });

  it('ends the span of a raw call when its headers arrived', async () => {
    const { tracing, engine } = traced();
    await using response = await engine.rawRequest('GET', 'downstream', '/raw');
    const span = onlySpan(tracing);
    expect(span.ended).toBe(true);
    expect(span.attributes['http.response.status_code']).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });

  it('takes the span name from spanName', async () => {
    const { tracing, engine } = traced({ spanName: (ctx) => `${ctx.method} ${ctx.serviceName}` });
    await engine.request('DELETE', 'downstream', '/items/7');
    expect(onlySpan(tracing).name).toBe('DELETE downstream');
  });

  it('never fails a call for a spanName or a propagator that throws, and says so through diag', async () => {
    const reported: string[] = [];
    diag.setLogger(
      {
        error: (message) => void reported.push(message),
        warn: () => {},
        info: () => {},
        debug: () => {},
        verbose: () => {},
      },
      DiagLogLevel.ERROR,
    );
    try {
      const { tracing, engine } = traced({
        spanName: () => {
          throw new Error('bad template');
        },
        propagator: {
          inject: () => {
            throw new Error('bad carrier');
          },
          extract: (ctx) => ctx,
          fields: () => [],
        },
      });
      await expect(engine.request('GET', 'downstream', '/resilient')).resolves.toEqual({ ok: true });
      expect(onlySpan(tracing).name).toBe('GET');
      expect(reported).toEqual([
        'OtelInterceptor: spanName threw; the span is named after the method',
        'OtelInterceptor: the propagator threw; the call goes without trace headers',
      ]);
      const empty = traced({ spanName: () => '' });
      await empty.engine.request('GET', 'downstream', '/empty-name');
      expect(onlySpan(empty.tracing).name).toBe('GET');
      expect(reported[2]).toBe(
        'OtelInterceptor: spanName returned an empty string; the span is named after the method',
      );
    } finally {
      diag.disable();
    }
  });

  it('sends no trace header with propagate: false, and through a given propagator otherwise', async () => {
    const off = traced({ propagate: false });
    await off.engine.request('GET', 'downstream', '/quiet');
    expect(downstream.only('/quiet').headers).not.toHaveProperty('traceparent');
    expect(off.tracing.spans()).toHaveLength(1);

    const custom = traced({
      propagator: {
        inject: (ctx, carrier, setter) =>
          setter.set(carrier, 'x-trace-id', trace.getSpanContext(ctx)?.traceId ?? 'none'),
        extract: (ctx) => ctx,
        fields: () => ['x-trace-id'],
      },
    });
    await custom.engine.request('GET', 'downstream', '/custom');
    const headers = downstream.only('/custom').headers;
    expect(headers['x-trace-id']).toBe(onlySpan(custom.tracing).spanContext().traceId);
    expect(headers).not.toHaveProperty('traceparent');
  });

  it("leaves the caller's headers object alone", async () => {
    const { engine } = traced();
    const headers = { accept: 'application/json' };
    await engine.request('GET', 'downstream', '/own', { headers });
    expect(headers).toEqual({ accept: 'application/json' });
    expect(downstream.only('/own').headers.accept).toBe('application/json');
  });
});

describe('otelInterceptor options', () => {
  it.each([
    [{ propagate: 'yes' }, 'propagate'],
    [{ tracerProvider: {} }, 'tracerProvider'],
    [{ propagator: { inject: 1 } }, 'propagator'],
    [{ propagate: false, propagator: propagation }, 'propagator'],
    [{ metrics: 1 }, 'metrics'],
    [{ meterProvider: { getMeter: () => ({}) } }, 'meterProvider'],
    [{ spanName: 'GET' }, 'spanName'],
    [{ sensitiveQueryKeys: 'token' }, 'sensitiveQueryKeys'],
    [{ name: ' ' }, 'name'],
    [{ order: Number.NaN }, 'order'],
  ])('refuses %j with a ConfigError naming %s', (options, keyPath) => {
    let error: unknown;
    try {
      otelInterceptor(options as never);
    } catch (e) {
      error = e;
    }
    expect(isConfigError(error), String(error)).toBe(true);
    expect((error as { keyPath: string }).keyPath).toBe(keyPath);
    expect((error as Error).message).toMatch(/^<otelInterceptor options>: /);
  });

  it('has a stable name and order, which options can change', () => {
    const a = otelInterceptor();
    expect([a.name, a.order]).toEqual(['OtelInterceptor', 99990]);
    const b = otelInterceptor({ name: 'otel-b', order: 5 });
    expect([b.name, b.order]).toEqual(['otel-b', 5]);
  });
});
