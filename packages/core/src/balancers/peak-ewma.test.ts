import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ServiceInstance } from '../contracts/instance.js';
import { ConfigError, ConnectionError, ServiceCallerError } from '../errors/index.js';
import { peakEwma } from './peak-ewma.js';
import { pickContext } from './pick-context.js';

function instance(id: string, weight = 1): ServiceInstance {
  return { id, serviceName: 'orders', host: id, port: 80, weight, healthy: true, metadata: {} };
}

const ctx = pickContext('orders');
const a = instance('a');
const b = instance('b');

/** Picks once and ends the attempt at once with `latencyMs` (and `error`, when given). */
function attempt(
  balancer: ReturnType<typeof peakEwma>,
  instances: ServiceInstance[],
  latencyMs: number,
  error?: unknown,
) {
  const pick = balancer.pick(instances, ctx);
  pick.done!({ latencyMs, error });
  return pick.instance.id;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('peakEwma', () => {
  it('moves calls off an instance as soon as it answers slowly (the peak)', () => {
    const balancer = peakEwma({ seed: 2 });
    const instances = [a, b];
    // Both fast, then a is slow once: every following attempt (both drawn) goes to b.
    for (let k = 0; k < 4; k++) attempt(balancer, instances, 5);
    const pickA = balancer.pick(instances, ctx);
    const slow = pickA.instance.id;
    pickA.done!({ latencyMs: 500 });
    const next = Array.from({ length: 10 }, () => attempt(balancer, instances, 5));
    expect(next.every((id) => id !== slow)).toBe(true);
  });

  it('counts a fast failure as slow, so an instance that fails fast does not attract calls', () => {
    const balancer = peakEwma({ seed: 4 });
    const instances = [a, b];
    for (let k = 0; k < 4; k++) attempt(balancer, instances, 20);
    const pick = balancer.pick(instances, ctx);
    const failing = pick.instance.id;
    pick.done!({ latencyMs: 1, error: new ConnectionError('refused') });
    const next = Array.from({ length: 10 }, () => attempt(balancer, instances, 20));
    expect(next.every((id) => id !== failing)).toBe(true);
  });

  it('does not penalise a hedge the engine cancelled', () => {
    const balancer = peakEwma({ seed: 4 });
    const instances = [a, b];
    for (let k = 0; k < 4; k++) attempt(balancer, instances, 20);
    const pick = balancer.pick(instances, ctx);
    pick.done!({ latencyMs: 1, error: new ServiceCallerError('x', { code: 'SC_ERR_ATTEMPT_CANCELLED' }) });
    const next = Array.from({ length: 10 }, () => attempt(balancer, instances, 20));
    expect(next.includes(pick.instance.id)).toBe(true);
  });

  it('forgets an estimate not refreshed, so an avoided instance is tried again later', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const balancer = peakEwma({ seed: 6, decay: 1_000 });
    const c = instance('c');
    const instances = [a, b, c];
    for (let k = 0; k < 30; k++) attempt(balancer, instances, 2);
    // a becomes very slow: with three instances and two drawn, the slowest is never chosen.
    let slowPick = balancer.pick(instances, ctx);
    while (slowPick.instance.id !== 'a') {
      slowPick.done!({ latencyMs: 2 });
      slowPick = balancer.pick(instances, ctx);
    }
    slowPick.done!({ latencyMs: 1_000 });
    const soon = Array.from({ length: 30 }, () => attempt(balancer, instances, 2));
    expect(soon).not.toContain('a');
    // b and c are kept fresh by their attempts; a's estimate decays over a few time constants.
    let tried = false;
    for (let k = 0; k < 200 && !tried; k++) {
      vi.advanceTimersByTime(100);
      tried = attempt(balancer, instances, 2) === 'a';
    }
    expect(tried).toBe(true);
  });

  it('refuses a decay that is not a positive number', () => {
    expect(() => peakEwma({ decay: 0 })).toThrow(ConfigError);
    expect(() => peakEwma({ decay: 0 })).toThrow(
      '<config object>: peak_ewma.decay: expected a positive number of milliseconds, found 0',
    );
  });
});
