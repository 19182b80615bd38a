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

/**
 * A real engine: static registry -> round robin -> undici -> the downstream server on 127.0.0.1;
 * one attempt per call (the spans of a retried call have their own test).
 */
function engineWith(interceptors: ServiceInterceptor[]): CallEngine {
  return downstream.callEngine({
    transport: undiciTransport(),
    retry: false,
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

/** The spans of the one call made: its INTERNAL call span and its CLIENT attempt spans, oldest first. */
function oneCall(tracing: Tracing): { call: ReadableSpan; attempts: ReadableSpan[] } {
  const spans = tracing.spans();
  const calls = spans.filter((s) => s.kind === SpanKind.INTERNAL);
  expect(calls, 'one call span').toHaveLength(1);
  const call = calls[0]!;
  const attempts = spans.filter((s) => s.kind === SpanKind.CLIENT);
  for (const attempt of attempts) {
    expect(attempt.parentSpanContext?.spanId, `${attempt.name} is a child of the call span`).toBe(
      call.spanContext().spanId,
    );
    expect(attempt.spanContext().traceId).toBe(call.spanContext().traceId);
  }
  return { call, attempts };
}

/** The spans of a call that made exactly one attempt. */
function oneAttempt(tracing: Tracing): { call: ReadableSpan; attempt: ReadableSpan } {
  const { call, attempts } = oneCall(tracing);
  expect(attempts, 'one attempt span').toHaveLength(1);
  return { call, attempt: attempts[0]! };
}

describe('otelInterceptor: a call span, and a CLIENT span per attempt', () => {
  it('names, kinds and attributes a successful call and its attempt per the HTTP client conventions', async () => {
    const { tracing, engine } = traced();
    await expect(engine.request('GET', 'downstream', '/hello')).resolves.toEqual({ ok: true });
    const { call, attempt } = oneAttempt(tracing);
    expect(attempt.name).toBe('GET');
    expect(attempt.kind).toBe(SpanKind.CLIENT);
    expect(attempt.instrumentationScope.name).toBe(INSTRUMENTATION_SCOPE);
    expect(attempt.attributes).toEqual({
      'http.request.method': 'GET',
      'service.peer.name': 'downstream',
      'server.address': '127.0.0.1',
      'server.port': downstream.port,
      'service_caller.instance.id': `127.0.0.1:${downstream.port}`,
      'url.full': `http://127.0.0.1:${downstream.port}/hello`,
      'http.response.status_code': 200,
    });
    expect(attempt.status.code).toBe(SpanStatusCode.UNSET);
    expect(call.name).toBe('GET downstream');
    expect(call.attributes).toEqual({
      'http.request.method': 'GET',
      'service.peer.name': 'downstream',
      'service_caller.attempts': 1,
    });
    expect(call.status.code).toBe(SpanStatusCode.UNSET);
    expect(call.parentSpanContext).toBeUndefined();
    expect(attempt.ended && call.ended).toBe(true);
  });

  it("sends the downstream a valid traceparent naming the attempt's span, in the same trace", async () => {
    const { tracing, engine } = traced();
    await engine.request('POST', 'downstream', '/orders', { json: { id: 1 } });
    const { attempt } = oneAttempt(tracing);
    const header = parseTraceparent(downstream.only('/orders').headers.traceparent);
    expect(header.traceId).toBe(attempt.spanContext().traceId);
    expect(header.parentId).toBe(attempt.spanContext().spanId);
    expect(header.flags).toBe('01');
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
    const call = tracing.spans().find((s) => s.name === 'GET downstream')!;
    expect(call.parentSpanContext?.spanId).toBe(parent!.spanId);
    expect(call.spanContext().traceId).toBe(parent!.traceId);
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
    const spans = tracing.spans();
    const attempts = spans.filter((s) => s.kind === SpanKind.CLIENT);
    expect(attempts).toHaveLength(20);
    for (const [path, traceId] of parents) {
      const received = parseTraceparent(downstream.only(path).headers.traceparent);
      expect(received.traceId, path).toBe(traceId);
      const attempt = attempts.find((s) => s.spanContext().spanId === received.parentId)!;
      expect(attempt.attributes['url.full'], path).toBe(`http://127.0.0.1:${downstream.port}${path}`);
      const call = spans.find((s) => s.spanContext().spanId === attempt.parentSpanContext?.spanId)!;
      expect(call.name).toBe('GET downstream');
      expect(call.spanContext().traceId).toBe(traceId);
    }
  });

  it('marks a 5xx as an error with error.type set to the status, without a description', async () => {
    const { tracing, engine } = traced();
    await expect(engine.request('GET', 'downstream', '/status/503')).rejects.toBeInstanceOf(HttpStatusError);
    const { call, attempt } = oneAttempt(tracing);
    for (const span of [call, attempt]) {
      expect(span.status).toEqual({ code: SpanStatusCode.ERROR });
      expect(span.attributes['error.type']).toBe('503');
    }
    expect(attempt.attributes['http.response.status_code']).toBe(503);
  });

  it('marks a 4xx as an error on the client span even when the call does not throw for it', async () => {
    const { tracing, engine } = traced();
    await expect(
      engine.request('GET', 'downstream', '/status/404', { throwHttpErrors: false }),
    ).resolves.toEqual({ status: 404 });
    const { call, attempt } = oneAttempt(tracing);
    expect(attempt.status.code).toBe(SpanStatusCode.ERROR);
    expect(attempt.attributes['error.type']).toBe('404');
    expect(call.attributes['error.type']).toBe('404');
  });

  it('names a refused connection by its error class, with the message, and no status code', async () => {
    const { tracing, engine } = traced();
    const error = await engine.request('GET', 'refused', '/x').catch((e: unknown) => e);
    expect((error as Error).name).toBe('ConnectionError');
    const { call, attempt } = oneAttempt(tracing);
    expect(attempt.status).toEqual({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    expect(attempt.attributes['error.type']).toBe('ConnectionError');
    expect(attempt.attributes['server.port']).toBe(refusedPort);
    expect(attempt.attributes).not.toHaveProperty('http.response.status_code');
    expect(call.attributes['error.type']).toBe('ConnectionError');
  });

  it('makes no attempt span for a call with no instance to go to', async () => {
    const { tracing, engine } = traced();
    await expect(engine.request('GET', 'nowhere', '/x')).rejects.toThrow(/nowhere/);
    const { call, attempts } = oneCall(tracing);
    expect(attempts).toEqual([]);
    expect(call.attributes['error.type']).toBe('ServiceUnavailableError');
    expect(call.attributes['service_caller.attempts']).toBe(0);
    expect(call.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('names a timeout TimeoutError', async () => {
    const { tracing, engine } = traced();
    await expect(engine.request('GET', 'downstream', '/delay/5000', { timeout: 50 })).rejects.toThrow(
      /timeout/,
    );
    const { call, attempt } = oneAttempt(tracing);
    expect(attempt.attributes['error.type']).toBe('TimeoutError');
    expect(attempt.status.code).toBe(SpanStatusCode.ERROR);
    expect(call.attributes['error.type']).toBe('TimeoutError');
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
    for (const span of Object.values(oneAttempt(tracing))) {
      expect(span.status.code, span.name).toBe(SpanStatusCode.UNSET);
      expect(span.attributes, span.name).not.toHaveProperty('error.type');
    }
  });

  it('shows secret-looking query values in url.full and the status description as REDACTED', async () => {
    const { tracing, engine } = traced({ sensitiveQueryKeys: ['x-tenant'] });
    const path = '/search?q=shoes&access_token=tok-123&sig=s1gn&X-Amz-Signature=abc&x_tenant=t9&page=2';
    await engine.request('GET', 'downstream', path);
    await expect(engine.request('GET', 'refused', '/login?password=hunter2')).rejects.toThrow(/ECONNREFUSED/);
    const [ok, refused] = tracing.spans().filter((s) => s.kind === SpanKind.CLIENT);
    expect(ok!.attributes['url.full']).toBe(
      `http://127.0.0.1:${downstream.port}/search?q=shoes&access_token=REDACTED&sig=REDACTED&X-Amz-Signature=REDACTED&x_tenant=REDACTED&page=2`,
    );
    expect(refused!.attributes['url.full']).toBe(`http://127.0.0.1:${refusedPort}/login?password=REDACTED`);
    const everything = JSON.stringify(tracing.spans().map((s) => [s.name, s.attributes, s.status, s.events]));
    for (const secret of ['tok-123', 's1gn', 'abc', 't9', 'hunter2'])
      expect(everything).not.toContain(secret);
  });

  it('hides the query values the logs and the admin page hide too (private keys, passphrases, cookies)', async () => {
    const { tracing, engine } = traced();
    await engine.request('GET', 'downstream', '/s?q=1&private.key=pk-9&passphrase=pp-9&Cookie=ck-9');
    const [span] = tracing.spans().filter((s) => s.kind === SpanKind.CLIENT);
    expect(span!.attributes['url.full']).toBe(
      `http://127.0.0.1:${downstream.port}/s?q=1&private.key=REDACTED&passphrase=REDACTED&Cookie=REDACTED`,
    );
  });

  it('keeps a failure that a later interceptor turned into a result, flagged as a fallback on the call', async () => {
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
    const { call, attempt } = oneAttempt(tracing);
    expect(call.attributes['error.type']).toBe('502');
    expect(call.attributes['service_caller.fallback']).toBe(true);
    expect(call.status.code).toBe(SpanStatusCode.ERROR);
    expect(attempt.attributes['error.type']).toBe('502');
    expect(attempt.attributes).not.toHaveProperty('service_caller.fallback');
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
    const { call, attempts } = oneCall(tracing);
    expect(attempts).toEqual([]);
    expect(call.status).toEqual({ code: SpanStatusCode.ERROR, message: 'token service down' });
    expect(call.attributes['error.type']).toBe('Error');
    expect(downstream.requests).toHaveLength(0);
  });

  it("ends a raw call's attempt span when its headers arrived, not when the caller reads the body", async () => {
    const { tracing, engine } = traced({ metrics: false });
    await using response = await engine.rawRequest('GET', 'downstream', '/raw');
    // The body is not read yet: both spans have ended all the same.
    const { call, attempt } = oneAttempt(tracing);
    expect(attempt.attributes['http.response.status_code']).toBe(200);
    expect(call.ended && attempt.ended).toBe(true);
    expect(await response.json()).toEqual({ ok: true });
    expect(tracing.spans()).toHaveLength(2);
  });

  it('takes the attempt spans’ name from spanName', async () => {
    const { tracing, engine } = traced({ spanName: (ctx) => `${ctx.method} /items/{id}` });
    await engine.request('DELETE', 'downstream', '/items/7');
    const { call, attempt } = oneAttempt(tracing);
    expect(attempt.name).toBe('DELETE /items/{id}');
    expect(call.name).toBe('DELETE downstream');
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
      expect(oneAttempt(tracing).attempt.name).toBe('GET');
      expect(reported).toEqual([
        'OtelInterceptor: spanName threw; the span is named after the method',
        'OtelInterceptor: the propagator threw; the attempt goes without trace headers',
      ]);
      const empty = traced({ spanName: () => '' });
      await empty.engine.request('GET', 'downstream', '/empty-name');
      expect(oneAttempt(empty.tracing).attempt.name).toBe('GET');
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
    expect(oneAttempt(off.tracing).attempt.ended).toBe(true);

    const custom = traced({
      propagator: {
        inject: (ctx, carrier, setter) =>
          setter.set(carrier, 'x-span-id', trace.getSpanContext(ctx)?.spanId ?? 'none'),
        extract: (ctx) => ctx,
        fields: () => ['x-span-id'],
      },
    });
    await custom.engine.request('GET', 'downstream', '/custom');
    const headers = downstream.only('/custom').headers;
    expect(headers['x-span-id']).toBe(oneAttempt(custom.tracing).attempt.spanContext().spanId);
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
