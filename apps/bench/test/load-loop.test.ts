import { describe, expect, it } from 'vitest';
import { runPhase } from '../src/load-loop.js';

const spec = { requests: 50, concurrency: 8, timeLimitMs: 10_000, maxErrors: 100 };

describe('runPhase', () => {
  it('sends exactly the requested count, never more than `concurrency` at once', async () => {
    let inFlight = 0;
    let peak = 0;
    let calls = 0;
    const result = await runPhase(async () => {
      calls++;
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      return { ok: true };
    }, spec);
    expect(calls).toBe(50);
    expect(peak).toBe(8);
    expect(result).toMatchObject({ completed: 50, errors: 0, timedOut: false });
    expect(result.latenciesMs).toHaveLength(50);
    expect(result.cpuUs).toBeGreaterThan(0);
  });

  it('counts a body that is not the upstream’s as an error, so a client cannot skip parsing', async () => {
    const result = await runPhase(async () => 'not parsed', spec);
    expect(result).toMatchObject({ completed: 0, errors: 50 });
    expect(result.firstError).toContain('unexpected body');
  });

  it('stops after maxErrors failures', async () => {
    let calls = 0;
    const result = await runPhase(
      async () => {
        calls++;
        throw new Error('refused');
      },
      { ...spec, maxErrors: 5, concurrency: 1 },
    );
    expect(calls).toBe(5);
    expect(result.firstError).toBe('Error: refused');
    expect(result.timedOut).toBe(false);
  });

  it('ends at the time bound even when calls never settle', async () => {
    const result = await runPhase(() => new Promise(() => {}), { ...spec, timeLimitMs: 20 });
    expect(result).toMatchObject({ completed: 0, errors: 0, timedOut: true });
  });
});
