import {
  ConnectionError,
  HttpStatusError,
  type RequestContext,
  type ServiceInterceptor,
  ServiceUnavailableError,
} from '@service-caller/core';
import { createRequestContext, InterceptorChain } from '@service-caller/core/adapter';
import { describe, expect, it } from 'vitest';
import {
  attemptOnce,
  beginAttempt,
  consumedResponse,
  end,
  endAttempt,
  INSTANCE,
  newContext,
  runFailureStages,
  unreadResponse,
} from './interceptor/calls.js';
import { checkConcurrentCalls, checkNoRetainedCalls, checkStableName } from './interceptor/checks.js';

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
 * that failed after one was chosen but without a response (so `ctx.response` is missing), a raw
 * call (whose body the interceptor must neither read nor dispose, and whose attempt ends after
 * `afterResponse`, as in the engine), a call without options and a call that retried, each
 * attempt through the per-attempt hooks (once per attempt, synchronous), without throwing and
 * without replacing `ctx.error` or `ctx.result` unless `handlesErrors` / `replacesResult` say it
 * may. Then the contract across calls: a stable name (the same for every instance `create`
 * makes, unchanged by calls), concurrent calls that keep their own headers, query, result and
 * error when their hooks interleave and they end in another order, and no per-call state held
 * once calls have ended (their contexts, attempts and responses are garbage-collected while the
 * interceptor lives on; the check uses V8's `gc()`, made available at run time).
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

    it('runs through a call that failed after an instance was chosen, without a response', async () => {
      const interceptor = await create();
      const ctx = newContext({ headers: { accept: 'application/json' } });
      await interceptor.beforeRequest?.(ctx);
      const error = new ConnectionError('connect ECONNREFUSED 127.0.0.1:8080');
      attemptOnce(interceptor, ctx, { error });
      ctx.error = error;
      end(ctx);
      expect(ctx.response).toBeUndefined();
      await runFailureStages(interceptor, ctx);
      expectErrorKept(ctx, error, handlesErrors);
    });

    it("leaves a raw call's body to the caller", async () => {
      const interceptor = await create();
      const ctx = newContext({}, { raw: true });
      await interceptor.beforeRequest?.(ctx);
      const attempt = beginAttempt(interceptor, ctx);
      const response = unreadResponse(200, ctx.resolvedUrl!);
      ctx.response = response;
      ctx.responseTime = performance.now();
      ctx.result = response;
      end(ctx);
      await interceptor.afterResponse?.(ctx);
      // A raw call's attempt ends when the caller has read the body: after the call's stages.
      endAttempt(interceptor, ctx, attempt, { status: 200 });
      expect(response.reads, 'the interceptor read or disposed the body').toEqual([]);
      if (!replacesResult) expect(ctx.result).toBe(response);
    });

    it('keeps a stable name: the same for every instance create() makes, unchanged by calls', async () => {
      await checkStableName(create);
    });

    it('keeps concurrent calls apart: each keeps its own headers, query, result and error', async () => {
      await checkConcurrentCalls(await create(), { replacesResult, handlesErrors });
    });

    it('holds no per-call state once calls have ended (contexts and responses can be collected)', async () => {
      await checkNoRetainedCalls(await create());
    });

    additionalTests?.();
  });
}

function expectErrorKept(ctx: RequestContext, error: unknown, handlesErrors: boolean): void {
  if (handlesErrors && ctx.error === undefined) return;
  expect(ctx.error).toBe(error);
}
