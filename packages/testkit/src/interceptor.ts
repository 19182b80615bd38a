import {
  type CallAttempt,
  ConnectionError,
  HttpStatusError,
  type RawResponse,
  type RequestContext,
  type ServiceInstance,
  type ServiceInterceptor,
  ServiceUnavailableError,
} from '@service-caller/core';
import {
  createRequestContext,
  finishAttempt,
  InterceptorChain,
  startAttempt,
} from '@service-caller/core/adapter';
import { describe, expect, it } from 'vitest';

/** Options of `testInterceptor`. */
export interface TestInterceptorOptions {
  /** Names the suite: `interceptor conformance: <name>`. */
  name: string;
  /** Makes a fresh interceptor; called once per test. */
  create: () => ServiceInterceptor | Promise<ServiceInterceptor>;
  /** The interceptor may replace a successful call's `ctx.result` (it transforms results). @default false */
  replacesResult?: boolean;
  /**
   * The interceptor may handle failures: clear `ctx.error` in `handleException` and leave a
   * fallback in `ctx.result`. @default false
   */
  handlesErrors?: boolean;
  /** Registers more tests inside the suite's `describe`. */
  additionalTests?: () => void;
}

const HOOKS = ['beforeRequest', 'afterResponse', 'handleException', 'beforeAttempt', 'afterAttempt'] as const;

/**
 * The conformance suite for an interceptor: a non-empty string `name`, a finite `order` when it
 * has one, hooks that are functions, acceptance by the real `InterceptorChain`, and hooks that
 * run against real `RequestContext`s (from core's `createRequestContext`) of a successful call,
 * a call that failed with a status, a call that failed before any instance was chosen, a call
 * without options and a call that retried (its per-attempt hooks once per attempt, synchronous),
 * without throwing and without replacing `ctx.error` or `ctx.result` unless `handlesErrors` /
 * `replacesResult` say it may.
 *
 * Hooks are called directly, not through the chain, so a throw fails the test instead of being
 * logged.
 *
 * @example
 * ```ts
 * testInterceptor({ name: 'auth', create: () => new AuthInterceptor({ token: 't' }) });
 * ```
 */
export function testInterceptor(options: TestInterceptorOptions): void {
  const { name, create, replacesResult = false, handlesErrors = false, additionalTests } = options;

  describe(`interceptor conformance: ${name}`, () => {
    it('has a non-empty string name', async () => {
      const interceptor = await create();
      expect(typeof interceptor.name).toBe('string');
      expect(interceptor.name.length).toBeGreaterThan(0);
    });

    it('has a finite number as order, when it has an order', async () => {
      const interceptor = await create();
      if (interceptor.order !== undefined) {
        expect(typeof interceptor.order).toBe('number');
        expect(Number.isFinite(interceptor.order)).toBe(true);
      }
    });

    it('has only functions as hooks', async () => {
      const interceptor = await create();
      for (const hook of HOOKS) {
        const fn = interceptor[hook];
        expect(fn === undefined || typeof fn === 'function', `${hook} is ${typeof fn}`).toBe(true);
      }
    });

    it('is accepted by the interceptor chain', async () => {
      const interceptor = await create();
      const chain = new InterceptorChain();
      expect(chain.add(interceptor)).toBe(true);
      expect(chain.snapshot).toEqual([interceptor]);
    });

    it('runs through a successful call without throwing or changing its outcome', async () => {
      const interceptor = await create();
      const ctx = newContext({ headers: { accept: 'application/json' }, query: { page: 1 } });
      await interceptor.beforeRequest?.(ctx);
      expect(ctx.error).toBeUndefined();
      attemptOnce(interceptor, ctx, { status: 200 });
      const result = { ok: true };
      ctx.response = consumedResponse(200, ctx.resolvedUrl!);
      ctx.responseTime = performance.now();
      ctx.result = result;
      end(ctx);
      await interceptor.afterResponse?.(ctx);
      expect(ctx.error).toBeUndefined();
      if (!replacesResult) expect(ctx.result).toBe(result);
    });

    it('runs through a call that failed with a status without throwing or losing the error', async () => {
      const interceptor = await create();
      const ctx = newContext({ json: { id: 1 } });
      await interceptor.beforeRequest?.(ctx);
      const url = `http://${INSTANCE.host}:${INSTANCE.port}${ctx.path}`;
      const error = new HttpStatusError({
        status: 503,
        statusText: 'Service Unavailable',
        body: { message: 'down' },
        serviceName: ctx.serviceName,
        method: ctx.method,
        url,
      });
      attemptOnce(interceptor, ctx, { status: 503, error });
      ctx.response = consumedResponse(503, ctx.resolvedUrl!);
      ctx.responseTime = performance.now();
      ctx.error = error;
      end(ctx);
      await runFailureStages(interceptor, ctx);
      expectErrorKept(ctx, error, handlesErrors);
    });

    it('runs through a call that failed before an instance was chosen', async () => {
      const interceptor = await create();
      const ctx = newContext({});
      await interceptor.beforeRequest?.(ctx);
      const error = new ServiceUnavailableError(ctx.serviceName);
      ctx.error = error;
      end(ctx);
      await runFailureStages(interceptor, ctx);
      expectErrorKept(ctx, error, handlesErrors);
    });

    it('runs through a call without options', async () => {
      const interceptor = await create();
      const ctx = createRequestContext({
        method: 'DELETE',
        serviceName: 'conformance-service',
        path: '/items/1',
      });
      await interceptor.beforeRequest?.(ctx);
      attemptOnce(interceptor, ctx, { status: 204 });
      ctx.response = consumedResponse(204, ctx.resolvedUrl!);
      ctx.responseTime = performance.now();
      end(ctx);
      await interceptor.afterResponse?.(ctx);
      expect(ctx.error).toBeUndefined();
      if (!replacesResult) expect(ctx.result).toBeUndefined();
    });

    it('runs its per-attempt hooks once per attempt, synchronously, through a call that retried', async () => {
      const interceptor = await create();
      const ctx = newContext({ headers: { accept: 'application/json' } });
      await interceptor.beforeRequest?.(ctx);
      const refused = new ConnectionError(
        'GET http://127.0.0.1:8080/conformance failed: connect ECONNREFUSED',
      );
      const first = attemptOnce(interceptor, ctx, { error: refused });
      const second = attemptOnce(interceptor, ctx, { status: 200 });
      expect(ctx.attempts).toEqual([first, second]);
      expect(ctx.triedInstances).toEqual([INSTANCE]);
      ctx.response = consumedResponse(200, ctx.resolvedUrl!);
      ctx.responseTime = performance.now();
      const result = { ok: true };
      ctx.result = result;
      end(ctx);
      await interceptor.afterResponse?.(ctx);
      expect(ctx.error).toBeUndefined();
      if (!replacesResult) expect(ctx.result).toBe(result);
    });

    additionalTests?.();
  });
}

/** The instance every attempt of the suite goes to. */
const INSTANCE: ServiceInstance = Object.freeze({
  id: '127.0.0.1:8080',
  serviceName: 'conformance-service',
  host: '127.0.0.1',
  port: 8080,
  weight: 1,
  healthy: true,
  metadata: Object.freeze({}),
});

/**
 * One attempt as the engine makes it: the instance chosen (`startAttempt` fills the context's
 * attempt fields), `beforeAttempt`, the outcome, `afterAttempt`. The per-attempt hooks must not
 * throw, and must not return a promise: nothing waits for one.
 */
function attemptOnce(
  interceptor: ServiceInterceptor,
  ctx: RequestContext,
  outcome: { status?: number; error?: unknown },
): CallAttempt {
  const attempt = startAttempt(ctx, INSTANCE);
  const before: unknown = interceptor.beforeAttempt?.(ctx, attempt);
  expect(isThenable(before), 'beforeAttempt returned a promise; the per-attempt hooks are synchronous').toBe(
    false,
  );
  finishAttempt(attempt, outcome);
  const after: unknown = interceptor.afterAttempt?.(ctx, attempt);
  expect(isThenable(after), 'afterAttempt returned a promise; the per-attempt hooks are synchronous').toBe(
    false,
  );
  return attempt;
}

function isThenable(value: unknown): boolean {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}

function newContext(options: Parameters<typeof createRequestContext>[0]['options']): RequestContext {
  return createRequestContext({
    method: 'POST',
    serviceName: 'conformance-service',
    path: '/conformance',
    options,
  });
}

function end(ctx: RequestContext): void {
  ctx.endTime = performance.now();
  ctx.duration = ctx.endTime - ctx.startTime;
}

async function runFailureStages(interceptor: ServiceInterceptor, ctx: RequestContext): Promise<void> {
  await interceptor.handleException?.(ctx);
  await interceptor.afterResponse?.(ctx);
}

function expectErrorKept(ctx: RequestContext, error: unknown, handlesErrors: boolean): void {
  if (handlesErrors && ctx.error === undefined) return;
  expect(ctx.error).toBe(error);
}

/** A response whose body the engine has already read, as interceptors see it after a call. */
function consumedResponse(status: number, url: string): RawResponse {
  const used = () => Promise.reject(new TypeError('the body has already been read'));
  return {
    status,
    statusText: status === 200 ? 'OK' : status === 204 ? 'No Content' : 'Service Unavailable',
    headers: status === 204 ? {} : { 'content-type': 'application/json' },
    url,
    bodyUsed: true,
    body: null,
    json: used,
    text: used,
    bytes: used,
    arrayBuffer: used,
    dispose: () => Promise.resolve(),
    [Symbol.asyncDispose]: () => Promise.resolve(),
  };
}
