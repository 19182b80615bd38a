import {
  type CallAttempt,
  HttpStatusError,
  type RequestContext,
  type ServiceInterceptor,
} from '@service-caller/core';
import { describe, expect, it } from 'vitest';
import { testInterceptor, WaitForTimeoutError, waitFor } from '../src/index.js';
import { checkConcurrentCalls, checkNoRetainedCalls, checkStableName } from '../src/interceptor/checks.js';

describe('waitFor', () => {
  it('returns the first truthy value, retrying through falsy answers and throws', async () => {
    let tries = 0;
    const value = await waitFor(
      () => {
        tries++;
        if (tries === 1) throw new Error('not yet');
        return tries === 3 && { tries };
      },
      { interval: 1 },
    );
    expect(value).toEqual({ tries: 3 });
  });

  it('accepts async checks', async () => {
    let tries = 0;
    await expect(waitFor(async () => ++tries >= 2, { interval: 1 })).resolves.toBe(true);
  });

  it('gives up after the bound with an error naming what was awaited and the last failure', async () => {
    const cause = new Error('still down');
    const error = await waitFor(
      () => {
        throw cause;
      },
      { timeout: 60, interval: 10, message: 'the registry' },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitForTimeoutError);
    expect((error as Error).message).toMatch(
      /^waitFor: the registry not reached within 60 ms after \d+ tries \(the last try threw: still down\)$/,
    );
    expect((error as Error).cause).toBe(cause);

    const falsy = await waitFor(() => 0, { timeout: 30, interval: 5 }).catch((e: unknown) => e);
    expect((falsy as Error).message).toMatch(
      /condition not reached within 30 ms .* \(the last try returned 0\)/,
    );
  });

  it('bounds a check that never settles', async () => {
    const error = await waitFor(() => new Promise(() => {}), { timeout: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitForTimeoutError);
    expect((error as Error).message).toContain('did not settle within');
  });

  it('refuses a bad timeout or interval', async () => {
    await expect(waitFor(() => true, { timeout: 0 })).rejects.toThrow(TypeError);
    await expect(waitFor(() => true, { interval: -1 })).rejects.toThrow(TypeError);
  });
});

/** The kind of interceptor users write: adds a header from a token. */
class HeaderInterceptor implements ServiceInterceptor {
  readonly name = 'header';
  readonly order = -10;
  beforeRequest(ctx: RequestContext): void {
    ctx.options.headers = { ...ctx.options.headers, authorization: 'Bearer t' };
  }
}

testInterceptor({ name: 'header', create: () => new HeaderInterceptor() });

testInterceptor({
  name: 'timing',
  create: () => ({
    name: 'timing',
    beforeRequest: async (ctx) => {
      ctx.attributes.timing = true;
    },
    afterResponse: (ctx) => {
      ctx.attributes.took = ctx.duration;
    },
    handleException: () => {},
  }),
});

testInterceptor({
  name: 'fallback',
  handlesErrors: true,
  create: () => ({
    name: 'fallback',
    order: 100,
    handleException: (ctx) => {
      if (ctx.error instanceof HttpStatusError) {
        ctx.error = undefined;
        ctx.result = { fallback: true };
      }
    },
  }),
});

testInterceptor({
  name: 'unwrap',
  replacesResult: true,
  create: () => ({
    name: 'unwrap',
    afterResponse: (ctx) => {
      if (ctx.error === undefined && typeof ctx.result === 'object' && ctx.result !== null) {
        ctx.result = Object.values(ctx.result)[0];
      }
    },
  }),
});

describe('the cross-call checks of testInterceptor fail for the faults they name', () => {
  const free = { replacesResult: false, handlesErrors: false };

  it('checkConcurrentCalls: an interceptor that shares one headers object between calls', async () => {
    let shared: Record<string, string> | undefined;
    const sharing: ServiceInterceptor = {
      name: 'sharing',
      beforeRequest(ctx) {
        shared = Object.assign(shared ?? {}, ctx.options.headers);
        ctx.options.headers = shared;
      },
    };
    await expect(checkConcurrentCalls(sharing, free)).rejects.toThrow(
      /call 0 carries the marker header of call 23/,
    );
  });

  it('checkConcurrentCalls: an interceptor that keeps "the current call" in a field', async () => {
    class CurrentCall implements ServiceInterceptor {
      readonly name = 'current-call';
      #current: RequestContext | undefined;
      beforeRequest(ctx: RequestContext): void {
        this.#current = ctx;
      }
      handleException(ctx: RequestContext): void {
        // A retry-or-fallback bookkeeping bug: the error goes to the last call started.
        this.#current!.error = ctx.error;
      }
    }
    await expect(checkConcurrentCalls(new CurrentCall(), free)).rejects.toThrow(
      /ended with an error|ended with another error/,
    );
  });

  it('checkNoRetainedCalls: an interceptor that keeps every call in a Map', async () => {
    const started = new Map<RequestContext, number>();
    const leaking: ServiceInterceptor = {
      name: 'leaking',
      beforeRequest(ctx) {
        started.set(ctx, performance.now());
      },
    };
    await expect(checkNoRetainedCalls(leaking)).rejects.toThrow(
      /still holds 54 of the 54 contexts, attempts and responses/,
    );
  });

  it('checkNoRetainedCalls: an interceptor that keeps every attempt', async () => {
    const attempts: CallAttempt[] = [];
    const keeping: ServiceInterceptor = {
      name: 'keeping',
      afterAttempt: (_ctx, attempt) => void attempts.push(attempt),
    };
    await expect(checkNoRetainedCalls(keeping)).rejects.toThrow(/still holds 18 of the 54/);
  });

  it('checkNoRetainedCalls: passes state kept in a WeakMap, or dropped in afterResponse', async () => {
    const weak = new WeakMap<RequestContext, number>();
    await checkNoRetainedCalls({ name: 'weak', beforeRequest: (ctx) => void weak.set(ctx, 1) });
    const strong = new Map<RequestContext, number>();
    await checkNoRetainedCalls({
      name: 'dropping',
      beforeRequest: (ctx) => void strong.set(ctx, 1),
      afterResponse: (ctx) => void strong.delete(ctx),
    });
    expect(strong.size).toBe(0);
  });

  it('checkStableName: a name that changes per instance or per call', async () => {
    let made = 0;
    await expect(checkStableName(() => ({ name: `counter-${++made}` }))).rejects.toThrow(
      /named 'counter-1' and 'counter-2'/,
    );
    let calls = 0;
    const drifting = {
      get name() {
        return calls === 0 ? 'drifting' : `drifting-${calls}`;
      },
      afterResponse: () => {
        calls++;
      },
    };
    await expect(checkStableName(() => drifting)).rejects.toThrow(/changed from 'drifting' to 'drifting-1'/);
  });
});

/** A tracing-like interceptor: one span per attempt, its trace header set on the attempt's own headers. */
function spanPerAttempt(): ServiceInterceptor & {
  spans: { attempt: number; status?: number; ended: boolean }[];
} {
  const spans: { attempt: number; status?: number; ended: boolean }[] = [];
  return {
    name: 'spans',
    spans,
    beforeAttempt(_ctx, attempt) {
      spans.push({ attempt: attempt.number, ended: false });
      (attempt.headers as Record<string, string>).traceparent =
        `00-${'1'.repeat(32)}-${String(attempt.number).padStart(16, '0')}-01`;
    },
    afterAttempt(_ctx, attempt) {
      const span = spans.find((s) => s.attempt === attempt.number)!;
      span.ended = true;
      if (attempt.status !== undefined) span.status = attempt.status;
    },
  };
}

testInterceptor({
  name: 'span per attempt',
  create: spanPerAttempt,
  additionalTests() {
    it('is accepted with its per-attempt hooks, which the suite runs once per attempt', () => {
      const interceptor = spanPerAttempt();
      expect(typeof interceptor.beforeAttempt).toBe('function');
      expect(typeof interceptor.afterAttempt).toBe('function');
    });
  },
});
