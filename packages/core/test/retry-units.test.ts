import { describe, expect, it } from 'vitest';
import { CANCELLED_CODE, countsAgainstInstance, failureKind } from '../src/engine/failure-kind.js';
import { RetryBudget } from '../src/engine/retry-budget.js';
import {
  backoffDelay,
  callRetryPolicy,
  DEFAULT_POLICY,
  retriesFailure,
  retryAfterMs,
  retryPolicy,
} from '../src/engine/retry-policy.js';
import { ConnectionError, HttpStatusError, ServiceCallerError, TimeoutError } from '../src/index.js';

const never = (): never => {
  throw new Error('unexpected problem');
};

function withCode(code: string): Error {
  return Object.assign(new Error(code), { code });
}

describe('failureKind', () => {
  it.each([
    [new ConnectionError('x', { cause: withCode('ECONNREFUSED') }), 'connect-failure'],
    [
      new ConnectionError('x', { cause: new TypeError('fetch failed', { cause: withCode('ENOTFOUND') }) }),
      'connect-failure',
    ],
    [new ConnectionError('x', { cause: withCode('ConnectionRefused') }), 'connect-failure'],
    [new ConnectionError('x', { cause: withCode('ECONNRESET') }), 'reset'],
    [new ConnectionError('x', { cause: withCode('UND_ERR_SOCKET') }), 'reset'],
    [new ConnectionError('x'), 'reset'],
    [new TimeoutError('connect', 10, 'x'), 'connect-failure'],
    [new TimeoutError('read', 10, 'x'), 'timeout'],
    [new TimeoutError('attempt', 10, 'x'), 'timeout'],
    [new TimeoutError('total', 10, 'x'), 'timeout'],
    [
      new HttpStatusError({ status: 503, body: undefined, serviceName: 's', method: 'GET', url: '/' }),
      'status',
    ],
    [
      new HttpStatusError({ status: 404, body: undefined, serviceName: 's', method: 'GET', url: '/' }),
      'other',
    ],
    [new ServiceCallerError('gave up', { code: CANCELLED_CODE }), 'cancelled'],
    [new Error('the caller aborted'), 'other'],
    ['a string', 'other'],
  ])('classifies %s as %s', (error, kind) => {
    expect(failureKind(error)).toBe(kind);
  });

  it('holds connect failures, resets, timeouts and 5xx against an instance, nothing else', () => {
    expect(
      ['connect-failure', 'reset', 'timeout', 'status'].every((k) => countsAgainstInstance(k as never)),
    ).toBe(true);
    expect(['cancelled', 'other'].some((k) => countsAgainstInstance(k as never))).toBe(false);
  });
});

describe('the retry policy', () => {
  it('defaults to 3 attempts of idempotent methods on connect failures, resets, timeouts, 502-504', () => {
    const policy = DEFAULT_POLICY;
    expect(policy.attempts).toBe(3);
    expect([...policy.methods]).toEqual(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
    expect(
      ['connect-failure', 'reset', 'timeout'].every((k) => retriesFailure(policy, k as never, undefined)),
    ).toBe(true);
    expect([502, 503, 504].map((s) => retriesFailure(policy, 'status', s))).toEqual([true, true, true]);
    expect([500, 429].map((s) => retriesFailure(policy, 'status', s))).toEqual([false, false]);
    expect(retriesFailure(policy, 'other', undefined)).toBe(false);
    expect(retriesFailure(policy, 'cancelled', undefined)).toBe(false);
  });

  it('merges a call over the engine key by key, and keeps the merge of a frozen object', () => {
    const engine = retryPolicy({ attempts: 5, retryOn: ['reset'] }, DEFAULT_POLICY, never);
    const call = retryPolicy({ methods: ['POST'] }, engine, never);
    expect(call.attempts).toBe(5);
    expect([...call.failures]).toEqual(['reset']);
    expect([...call.methods]).toEqual(['POST']);
    const frozen = Object.freeze({ attempts: 2 });
    expect(callRetryPolicy(frozen, engine, never)).toBe(callRetryPolicy(frozen, engine, never));
    expect(callRetryPolicy(false, engine, never)).toBe(callRetryPolicy(false, engine, never));
    expect(callRetryPolicy(false, engine, never).attempts).toBe(1);
    expect(callRetryPolicy(undefined, engine, never)).toBe(engine);
    // A base above the inherited cap raises the cap.
    expect(retryPolicy({ backoff: { base: 1000 } }, DEFAULT_POLICY, never)).toMatchObject({
      base: 1000,
      max: 1000,
    });
  });

  it('waits a random time under an exponentially growing cap (full jitter)', () => {
    const policy = retryPolicy({ backoff: { base: 10, max: 100 } }, DEFAULT_POLICY, never);
    expect([1, 2, 3, 4, 5].map((retry) => backoffDelay(policy, retry, () => 0.999999))).toEqual(
      [10, 20, 40, 80, 100].map((cap) => cap * 0.999999),
    );
    expect(backoffDelay(policy, 3, () => 0)).toBe(0);
    for (let i = 0; i < 100; i++) {
      const delay = backoffDelay(policy, 2);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(20);
    }
  });

  it('reads Retry-After as seconds or as an HTTP date, and ignores what it cannot read', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(' 0 ')).toBe(0);
    const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');
    expect(retryAfterMs('Wed, 21 Oct 2026 07:28:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Wed, 21 Oct 2026 07:27:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs('-1')).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});

describe('RetryBudget', () => {
  it('allows retries up to the share of the calls in the window, plus the floor per second', () => {
    const budget = new RetryBudget({ percent: 20, minPerSecond: 0 });
    for (let i = 0; i < 10; i++) budget.deposit(1000);
    expect([1, 2, 3].map(() => budget.tryWithdraw(1000))).toEqual([true, true, false]);
    expect(budget.window(1000)).toEqual({ calls: 10, retries: 2 });
  });

  it('forgets the calls and retries that left the ten-second window', () => {
    const budget = new RetryBudget({ percent: 50, minPerSecond: 0 });
    for (let i = 0; i < 4; i++) budget.deposit(0);
    expect(budget.tryWithdraw(1_500)).toBe(true);
    expect(budget.window(9_999)).toEqual({ calls: 4, retries: 1 });
    expect(budget.window(10_000)).toEqual({ calls: 0, retries: 1 });
    expect(budget.window(11_000)).toEqual({ calls: 0, retries: 0 });
    expect(budget.tryWithdraw(11_000)).toBe(false);
    expect(budget.window(60_000)).toEqual({ calls: 0, retries: 0 });
  });

  it('gives a service with few calls its floor of retries a second, refilled over time', () => {
    const budget = new RetryBudget({ percent: 0, minPerSecond: 2 });
    expect([0, 0, 0].map(() => budget.tryWithdraw(5_000))).toEqual([true, true, false]);
    expect(budget.tryWithdraw(5_400)).toBe(false);
    expect(budget.tryWithdraw(5_500)).toBe(true);
    expect([budget.tryWithdraw(7_000), budget.tryWithdraw(7_000), budget.tryWithdraw(7_000)]).toEqual([
      true,
      true,
      false,
    ]);
  });
});
