import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
// testkit depends on core, so core's tests take waitFor from its source rather than the package.
import { waitFor } from '../../testkit/src/wait.js';
import { CallDeadline } from '../src/engine/call-deadline.js';
import { CallContext } from '../src/engine/context.js';
import { DeadlineClock } from '../src/engine/deadline-clock.js';
import { type AbortHookListener, TimeoutError } from '../src/index.js';
import { engineFixture, rejection } from './support/engine-fixture.js';
import { nodeHttpTransport } from './support/node-http-transport.js';

/**
 * The engine's deadline clock on a fake clock (timers and `performance.now()`), so that "when"
 * is exact. The stated bound (core README): a total timeout fires no earlier than its timeout,
 * and no more than 1 ms after it (besides the event loop's own delay, which a fake clock has not).
 */
describe('the deadline clock', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function deadline(clock: DeadlineClock, timeoutMs: number, signal?: AbortSignal): CallDeadline {
    const ctx = new CallContext('GET', 'svc', '/x', {}, false);
    const made = new CallDeadline(ctx, clock, timeoutMs, signal);
    clock.add(made);
    return made;
  }

  /** Advances the fake clock to `at` ms after the test's start. */
  let start = 0;
  beforeEach(() => {
    start = performance.now();
  });
  function advanceTo(at: number): void {
    vi.advanceTimersByTime(start + at - performance.now());
  }

  it('fires a deadline at its timeout: not 1 ms before, and at most 1 ms after', () => {
    const clock = new DeadlineClock();
    const d = deadline(clock, 30_000);
    advanceTo(29_999);
    expect(d.aborted).toBe(false);
    advanceTo(30_001);
    expect(d.aborted).toBe(true);
    expect(d.reason).toBeInstanceOf(TimeoutError);
    expect((d.reason as TimeoutError).message).toBe(
      "total timeout of 30000 ms elapsed for GET service 'svc'",
    );
    expect(clock.size).toBe(0);
  });

  it('fires a later deadline on time after the one the timer was armed for has ended', () => {
    const clock = new DeadlineClock();
    const first = deadline(clock, 30_000);
    advanceTo(10_000);
    const second = deadline(clock, 30_000);
    advanceTo(20_000);
    clock.remove(first);
    advanceTo(30_500);
    expect(second.aborted).toBe(false);
    advanceTo(39_999);
    expect(second.aborted).toBe(false);
    advanceTo(40_001);
    expect(second.aborted).toBe(true);
    expect(first.aborted).toBe(false);
  });

  it('fires a shorter timeout started after a longer one on time (the timer moves)', () => {
    const clock = new DeadlineClock();
    const long = deadline(clock, 30_000);
    advanceTo(5);
    const short = deadline(clock, 100);
    advanceTo(104);
    expect(short.aborted).toBe(false);
    advanceTo(106);
    expect(short.aborted).toBe(true);
    expect(long.aborted).toBe(false);
    advanceTo(30_001);
    expect(long.aborted).toBe(true);
  });

  it('fires every deadline of a mix of timeouts within its bound', () => {
    const clock = new DeadlineClock();
    const timeouts = [250, 30_000, 40, 1_000, 250, 7, 5_000, 40, 30_000, 12, 1_000];
    const made: { d: CallDeadline; due: number }[] = [];
    const firedAt = new Map<CallDeadline, number>();
    // One started every 3 ms; some end early (8 ms after they start), as most calls do.
    const ended = new Set([1, 4, 7]);
    for (let at = 0; at <= 31_000; at++) {
      advanceTo(at);
      for (const { d } of made) if (d.aborted && !firedAt.has(d)) firedAt.set(d, at);
      const i = at / 3;
      if (i < timeouts.length && Number.isInteger(i)) {
        made.push({ d: deadline(clock, timeouts[i]!), due: at + timeouts[i]! });
      }
      const j = (at - 8) / 3;
      if (ended.has(j)) clock.remove(made[j]!.d);
    }
    for (const [i, { d, due }] of made.entries()) {
      if (ended.has(i)) {
        expect(d.aborted).toBe(false);
        continue;
      }
      const at = firedAt.get(d);
      expect(at, `the deadline due at ${due} ms`).toBeGreaterThanOrEqual(due);
      expect(at, `the deadline due at ${due} ms`).toBeLessThanOrEqual(due + 1);
    }
    expect(clock.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('clears its timer when nothing is listed, and holds the process only for deadlines that hold it', () => {
    const clock = new DeadlineClock();
    const d = deadline(clock, 30_000);
    expect(vi.getTimerCount()).toBe(1);
    clock.remove(d);
    expect(vi.getTimerCount()).toBe(0);

    const timers: ReturnType<typeof setTimeout>[] = [];
    const realSetTimeout = globalThis.setTimeout;
    const spy = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((
      ...args: Parameters<typeof setTimeout>
    ) => {
      const timer = realSetTimeout(...args);
      timers.push(timer);
      return timer;
    }) as typeof setTimeout);
    try {
      const raw = deadline(clock, 30_000);
      expect(timers).toHaveLength(1);
      const timer = timers[0]!;
      expect(timer.hasRef()).toBe(true);
      // A raw body left unread: bounded still, but not holding the process open.
      clock.release(raw);
      expect(timer.hasRef()).toBe(false);
      const inFlight = deadline(clock, 30_000);
      expect(timer.hasRef()).toBe(true);
      clock.remove(inFlight);
      expect(timer.hasRef()).toBe(false);
      advanceTo(30_001);
      expect(raw.aborted).toBe(true);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      spy.mockRestore();
    }
  });

  it('tells each listener once, the first reason winning; the lazy signal carries the same reason', () => {
    const clock = new DeadlineClock();
    const d = deadline(clock, 1_000);
    const heard: unknown[] = [];
    const listener = (name: string): AbortHookListener => ({
      handleAbort: (reason) => heard.push([name, reason]),
    });
    const a = listener('a');
    const b = listener('b');
    const c = listener('c');
    d.listen(a);
    d.listen(b);
    d.listen(c);
    d.unlisten(b);
    const reason = new Error('first');
    d.abort(reason);
    d.abort(new Error('second'));
    expect(heard).toEqual([
      ['a', reason],
      ['c', reason],
    ]);
    expect(d.signal.aborted).toBe(true);
    expect(d.signal.reason).toBe(reason);
    // Expiring an aborted deadline changes nothing.
    advanceTo(1_001);
    expect(d.reason).toBe(reason);
  });

  it("aborts with the caller's signal's reason", () => {
    const clock = new DeadlineClock();
    const caller = new AbortController();
    const d = deadline(clock, 1_000, caller.signal);
    caller.signal.addEventListener('abort', d);
    const signal = d.signal;
    const reason = new Error('caller gave up');
    caller.abort(reason);
    expect(d.aborted).toBe(true);
    expect(d.reason).toBe(reason);
    expect(signal.reason).toBe(reason);
  });
});

describe('the total timeout through a transport that takes the abort hook', () => {
  const fixture = engineFixture();
  const setup = fixture.setup.bind(fixture);

  it('passes the deadline as abortHook and no signal; the timeout and its error are unchanged', async () => {
    const { engine, transport } = setup({}, nodeHttpTransport({ abortHook: true, buffered: true }));
    await expect(engine.request('GET', 'echo', '/json', { timeout: 5_000 })).resolves.toEqual({
      a: 1,
      list: [1, 2],
    });
    const sent = transport.sent[0]!;
    expect(sent.signal).toBeUndefined();
    expect(sent.abortHook?.aborted).toBe(false);
    const error = (await rejection(engine.request('GET', 'echo', '/hang', { timeout: 80 }))) as TimeoutError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toBe(
      `total timeout of 80 ms elapsed for GET http://127.0.0.1:${fixture.server.port}/hang`,
    );
    expect(transport.sent[1]!.abortHook?.aborted).toBe(true);
  });

  it("rejects with the caller's reason when its signal aborts", async () => {
    const { engine } = setup({}, nodeHttpTransport({ abortHook: true }));
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const call = engine.request('GET', 'echo', '/hang', { signal: controller.signal, timeout: 60_000 });
    await waitFor(() => fixture.server.seen.some((r) => r.url === '/hang'), {
      message: 'the server seeing the call',
    });
    controller.abort(reason);
    expect(await rejection(call)).toBe(reason);
  });

  it('hands a transport without the hook a signal, as before', async () => {
    const { engine, transport } = setup();
    await engine.request('GET', 'echo', '/json', { timeout: 5_000 });
    const sent = transport.sent[0]!;
    expect(sent.signal).toBeInstanceOf(AbortSignal);
    expect(sent.abortHook).toBeUndefined();
  });
});
