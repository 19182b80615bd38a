import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { WaitForTimeoutError, waitFor } from '../src/index.js';

describe('waitFor', () => {
  it('returns the first truthy value the check produces', async () => {
    const emitter = new EventEmitter();
    let seen = 0;
    emitter.on('tick', () => seen++);
    const ticker = setInterval(() => emitter.emit('tick'), 5);
    try {
      const value = await waitFor(() => seen >= 3 && `seen ${seen}`, { timeout: 5_000, interval: 5 });
      expect(value).toMatch(/^seen \d+$/);
    } finally {
      clearInterval(ticker);
    }
  });

  it('retries a check that throws until it stops throwing', async () => {
    let tries = 0;
    const value = await waitFor(
      () => {
        tries++;
        if (tries < 3) throw new Error(`not yet (${tries})`);
        return tries;
      },
      { interval: 1 },
    );
    expect(value).toBe(3);
  });

  it('fails with WaitForTimeoutError naming the condition and carrying the last error', async () => {
    const failure = await waitFor(
      () => {
        throw new Error('still down');
      },
      { timeout: 100, interval: 10, message: 'the server to come up' },
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WaitForTimeoutError);
    expect((failure as Error).message).toContain('the server to come up');
    expect((failure as Error).message).toContain('still down');
    expect(((failure as Error).cause as Error).message).toBe('still down');
  });

  it('bounds a check that never settles', async () => {
    const failure = await waitFor(() => new Promise<boolean>(() => {}), { timeout: 100 }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(WaitForTimeoutError);
  });

  it('refuses a timeout or interval that is not a sane number', async () => {
    await expect(waitFor(() => true, { timeout: 0 })).rejects.toThrow(/timeout must be a positive number/);
    await expect(waitFor(() => true, { interval: Number.NaN })).rejects.toThrow(/interval must be/);
  });
});
