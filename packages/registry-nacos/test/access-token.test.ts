import { describe, expect, it } from 'vitest';
import { AccessToken, type LoginResult, renewalTime } from '../src/access-token.js';

/** A login that hands out token-1, token-2, ... and counts its calls; `fail` makes the next ones reject. */
function fakeLogin(ttlSeconds: number) {
  const state = { calls: 0, fail: false, release: undefined as (() => void) | undefined, gate: false };
  const login = async (): Promise<LoginResult> => {
    state.calls++;
    if (state.gate) await new Promise<void>((resolve) => (state.release = resolve));
    if (state.fail) throw new Error('Nacos cannot be reached');
    return { accessToken: `token-${state.calls}`, tokenTtlSeconds: ttlSeconds };
  };
  return { login, state };
}

describe('renewalTime', () => {
  it('renews a fifth of the lifetime early, at most five minutes early', () => {
    expect(renewalTime(1000, 10_000)).toEqual({ renewAt: 9000, expiresAt: 11_000 });
    // Nacos' default 18000 s: renewed 5 minutes before the end.
    expect(renewalTime(0, 18_000_000)).toEqual({ renewAt: 18_000_000 - 300_000, expiresAt: 18_000_000 });
  });

  it('treats an unknown lifetime as five minutes', () => {
    expect(renewalTime(0, 0)).toEqual({ renewAt: 240_000, expiresAt: 300_000 });
    expect(renewalTime(0, Number.NaN)).toEqual({ renewAt: 240_000, expiresAt: 300_000 });
  });
});

describe('AccessToken', () => {
  it('logs in once and reuses the token until it is due for renewal', async () => {
    let now = 0;
    const { login, state } = fakeLogin(10);
    const token = new AccessToken(login, () => now);
    expect(await token.get()).toBe('token-1');
    now = 7_999;
    expect(await token.get()).toBe('token-1');
    expect(state.calls).toBe(1);
    // Renewal is due at 8 s (10 s lifetime, 2 s early): a fresh login before the old token expires.
    now = 8_000;
    expect(await token.get()).toBe('token-2');
    expect(state.calls).toBe(2);
    expect(token.renewAt).toBe(16_000);
  });

  it('shares one login between concurrent callers', async () => {
    const { login, state } = fakeLogin(10);
    state.gate = true;
    const token = new AccessToken(login, () => 0);
    const all = Promise.all([token.get(), token.get(), token.get()]);
    await Promise.resolve();
    state.release?.();
    expect(await all).toEqual(['token-1', 'token-1', 'token-1']);
    expect(state.calls).toBe(1);
  });

  it('keeps using a still-valid token when its renewal fails, and fails once it expired', async () => {
    let now = 0;
    const { login, state } = fakeLogin(10);
    const token = new AccessToken(login, () => now);
    await token.get();
    state.fail = true;
    now = 9_000;
    expect(await token.get()).toBe('token-1');
    now = 10_000;
    await expect(token.get()).rejects.toThrow('Nacos cannot be reached');
    state.fail = false;
    expect(await token.get()).toMatch(/^token-\d+$/);
  });

  it('logs in again after the server refused the token', async () => {
    const { login, state } = fakeLogin(3600);
    const token = new AccessToken(login, () => 0);
    const first = await token.get();
    token.invalidate('some-other-token');
    expect(await token.get()).toBe(first);
    token.invalidate(first);
    expect(token.current).toBeUndefined();
    expect(await token.get()).toBe('token-2');
    expect(state.calls).toBe(2);
  });
});
