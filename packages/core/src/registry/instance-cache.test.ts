import { afterEach, describe, expect, it } from 'vitest';
import { recordingLogger as recordingLoggerOf } from '../../test/support/recording.js';
import type { ServiceInstance } from '../contracts/instance.js';
import { type EmptyListProtection, InstanceCache, type InstanceSink } from './instance-cache.js';
import { OutageLog } from './outage-log.js';
import { pollingFeed } from './polling-feed.js';

const instance = (port: number, extra: Partial<ServiceInstance> = {}): ServiceInstance => ({
  id: `10.0.0.1:${port}`,
  serviceName: 'users',
  host: '10.0.0.1',
  port,
  weight: 1,
  healthy: true,
  metadata: {},
  ...extra,
});

/** The recording logger of core's tests, as { logger, lines }. */
function recordingLogger() {
  const logger = recordingLoggerOf();
  return { logger, lines: logger.entries };
}

/** A cache over a feed the test drives by hand: `sinks.get(name)` reports for one service. */
function manualCache(protection?: EmptyListProtection, now: () => number = Date.now) {
  const { logger, lines } = recordingLogger();
  const outage = new OutageLog({ logger, registry: 'test', now });
  const sinks = new Map<string, InstanceSink>();
  const stopped: string[] = [];
  let refreshes = 0;
  const cache = new InstanceCache({
    registry: 'test',
    logger,
    outage,
    ...(protection === undefined ? {} : { emptyListProtection: protection }),
    feed: (name, sink) => {
      sinks.set(name, sink);
      return {
        stop: () => stopped.push(name),
        refresh: () => {
          refreshes++;
        },
      };
    },
  });
  return { cache, sinks, outage, lines, stopped, refreshes: () => refreshes };
}

describe('InstanceCache', () => {
  const caches: InstanceCache[] = [];
  afterEach(() => {
    for (const cache of caches.splice(0)) cache.close();
  });

  it('answers from memory with the same array and the same objects while the list does not change', async () => {
    const { cache, sinks } = manualCache();
    caches.push(cache);
    expect(cache.get('users')).toBeUndefined();
    const loading = cache.load('users');
    sinks.get('users')!.update([instance(2), instance(1)]);
    const first = await loading;
    expect(first.map((i) => i.port)).toEqual([1, 2]);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first[0])).toBe(true);
    expect(Object.isFrozen(first[0]!.metadata)).toBe(true);
    // Equal content, new objects, another order: nothing changed.
    sinks.get('users')!.update([instance(1), instance(2)]);
    expect(cache.get('users')).toBe(first);
    sinks.get('users')!.update([instance(1), instance(2), instance(3)]);
    const second = cache.get('users')!;
    expect(second).not.toBe(first);
    expect(second[0]).toBe(first[0]);
    expect(second[1]).toBe(first[1]);
    // The old array is left as it was: a balancer may still hold it.
    expect(first.map((i) => i.port)).toEqual([1, 2]);
    sinks.get('users')!.update([instance(1, { weight: 3 }), instance(2), instance(3)]);
    expect(cache.get('users')![0]).not.toBe(first[0]);
    expect(cache.get('users')![1]).toBe(first[1]);
  });

  it('tells listeners about real changes only, a first empty list not at all, and stops after unsubscribe', () => {
    const { cache, sinks } = manualCache('off');
    caches.push(cache);
    const heard: number[][] = [];
    const stop = cache.subscribe('users', (list) => heard.push(list.map((i) => i.port)));
    const sink = sinks.get('users')!;
    sink.update([]);
    sink.update([instance(1)]);
    sink.update([instance(1)]);
    sink.update([instance(1), instance(2)]);
    sink.update([]);
    expect(heard).toEqual([[1], [1, 2], []]);
    stop();
    sink.update([instance(2)]);
    expect(heard).toHaveLength(3);
  });

  it('keeps the last good list when the feed fails, and a throwing listener does not stop the others', async () => {
    const { cache, sinks, lines } = manualCache();
    caches.push(cache);
    const heard: number[] = [];
    cache.subscribe('users', () => {
      throw new Error('listener bug');
    });
    cache.subscribe('users', (list) => heard.push(list.length));
    const sink = sinks.get('users')!;
    sink.update([instance(1)]);
    const good = cache.get('users');
    sink.fail(new Error('ECONNREFUSED'));
    expect(cache.get('users')).toBe(good);
    expect(await cache.load('users')).toBe(good);
    expect(heard).toEqual([1]);
    expect(lines.filter((l) => l.level === 'error')[0]?.message).toContain('listener bug');
  });

  it('rejects a first lookup with the failure and drops a service nobody listens to', async () => {
    const { cache, sinks, stopped } = manualCache();
    caches.push(cache);
    const loading = cache.load('nobody');
    sinks.get('nobody')!.fail(new Error('ECONNREFUSED'));
    await expect(loading).rejects.toThrow('ECONNREFUSED');
    expect(stopped).toEqual(['nobody']);
    // The next lookup starts a new feed.
    const again = cache.load('nobody');
    sinks.get('nobody')!.update([instance(1)]);
    expect((await again).map((i) => i.port)).toEqual([1]);
  });

  it('asks the feed to hurry when a caller waits, and lets the caller stop waiting', async () => {
    const { cache, refreshes } = manualCache();
    caches.push(cache);
    const controller = new AbortController();
    const loading = cache.load('users', controller.signal);
    expect(refreshes()).toBe(1);
    controller.abort(new Error('caller gave up'));
    await expect(loading).rejects.toThrow('caller gave up');
  });

  it('after-outage: does not believe an empty list during an outage or within 15 s after it', () => {
    let now = 1_000_000;
    const { cache, sinks, outage } = manualCache('after-outage', () => now);
    caches.push(cache);
    cache.subscribe('users', () => {});
    const sink = sinks.get('users')!;
    sink.update([instance(1), instance(2)]);
    const good = cache.get('users');
    outage.failed('server', 'down');
    outage.failed('server', 'down');
    // Back, but empty: a restarted server before its clients re-registered.
    sink.update([]);
    expect(cache.get('users')).toBe(good);
    outage.recovered('server', 'up');
    now += 14_000;
    sink.update([]);
    expect(cache.get('users')).toBe(good);
    // A shrunken but non-empty list is believed at once.
    sink.update([instance(2)]);
    expect(cache.get('users')!.map((i) => i.port)).toEqual([2]);
    now += 2_000;
    sink.update([]);
    expect(cache.get('users')).toEqual([]);
  });

  it('after-outage: one failed operation that the next one answered is a blip and arms no hold (#17)', () => {
    const { cache, sinks, outage } = manualCache('after-outage');
    caches.push(cache);
    cache.subscribe('users', () => {});
    const sink = sinks.get('users')!;
    sink.update([instance(1)]);
    // A single socket reset of a heartbeat, answered again by the next request.
    outage.failed('server', 'read ECONNRESET');
    outage.recovered('server', 'answers again');
    expect(outage.recovering).toBe(false);
    sink.update([]);
    expect(cache.get('users')).toEqual([]);
  });

  it('after-outage: a server restart seen arms the hold without any failure', () => {
    const { cache, sinks, outage } = manualCache('after-outage');
    caches.push(cache);
    cache.subscribe('users', () => {});
    sinks.get('users')!.update([instance(1)]);
    outage.restarted();
    sinks.get('users')!.update([]);
    expect(cache.get('users')!.map((i) => i.port)).toEqual([1]);
  });

  it('always: never believes an empty list once it held instances; off: always does', () => {
    for (const [protection, kept] of [
      ['always', true],
      ['off', false],
    ] as const) {
      const { cache, sinks } = manualCache(protection);
      caches.push(cache);
      cache.subscribe('users', () => {});
      sinks.get('users')!.update([instance(1)]);
      sinks.get('users')!.update([]);
      expect(cache.get('users')!.length, protection).toBe(kept ? 1 : 0);
    }
  });

  it('close() stops every feed and rejects waiting lookups', async () => {
    const { cache, stopped } = manualCache();
    const waiting = cache.load('users');
    cache.subscribe('orders', () => {});
    cache.close();
    await expect(waiting).rejects.toThrow(/closed/i);
    expect(stopped.sort()).toEqual(['orders', 'users']);
    await expect(cache.load('users')).rejects.toThrow(/closed/i);
  });
});

describe('OutageLog', () => {
  it('warns once per source when failures start, then informs once when they end', () => {
    const { logger, lines } = recordingLogger();
    const outage = new OutageLog({ logger, registry: 'test' });
    outage.recovered('server', 'up');
    expect(lines).toEqual([]);
    for (let i = 0; i < 10; i++) outage.failed('server', 'server down', 'still down');
    expect(outage.down).toBe(true);
    expect(outage.inOutage).toBe(true);
    outage.recovered('server', (ms) => `up after ${ms >= 0 ? 'some' : 'no'} time`);
    outage.recovered('server', 'up');
    expect(outage.down).toBe(false);
    outage.failed('server', 'again');
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual(['server down', 'again']);
    expect(lines.filter((l) => l.level === 'debug')).toHaveLength(9);
    expect(lines.filter((l) => l.level === 'info').map((l) => l.message)).toEqual(['up after some time']);
  });

  it('counts consecutive failures across sources; a success of any source ends the streak', () => {
    const { logger } = recordingLogger();
    const outage = new OutageLog({ logger, registry: 'test', failuresForOutage: 3 });
    outage.failed('a', 'a');
    outage.failed('b', 'b');
    expect(outage.inOutage).toBe(false);
    outage.recovered('a', 'a up');
    outage.failed('b', 'b');
    outage.failed('b', 'b');
    expect(outage.inOutage).toBe(false);
    outage.failed('a', 'a');
    expect(outage.inOutage).toBe(true);
    expect(outage.recovering).toBe(true);
  });
});

describe('pollingFeed', () => {
  it('lists at once, shares a list in flight, and reports successes and failures', async () => {
    let calls = 0;
    let fail = false;
    const events: string[] = [];
    const feed = pollingFeed({
      intervalMs: 3_600_000,
      list: async () => {
        calls++;
        if (fail) throw new Error('down');
        return [instance(calls)];
      },
      succeeded: () => events.push('ok'),
      failed: (_name, error) => events.push(`failed: ${(error as Error).message}`),
    });
    const { logger } = recordingLogger();
    const cache = new InstanceCache({ registry: 'test', logger, feed });
    const first = await cache.load('users');
    expect(first.map((i) => i.port)).toEqual([1]);
    cache.refresh('users');
    cache.refresh('users');
    await new Promise((resolve) => setTimeout(resolve, 0));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(calls).toBe(2);
    fail = true;
    cache.refresh('users');
    await new Promise((resolve) => setTimeout(resolve, 0));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(events).toEqual(['ok', 'ok', 'failed: down']);
    expect(cache.get('users')!.map((i) => i.port)).toEqual([2]);
    cache.close();
  });
});
