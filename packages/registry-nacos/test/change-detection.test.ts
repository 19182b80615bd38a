import type { Logger, ServiceInstance } from '@service-caller/core';
import { afterEach, describe, expect, it } from 'vitest';
import { toInstanceList } from '../src/instances.js';
import type { NacosHost } from '../src/naming-api.js';
import { OutageLog } from '../src/outage-log.js';
import { ServiceWatch } from '../src/service-watch.js';

const host = (port: number, extra: Partial<NacosHost> = {}): NacosHost => ({
  ip: '10.0.0.1',
  port,
  weight: 1,
  healthy: true,
  enabled: true,
  metadata: {},
  ...extra,
});

function recordingLogger() {
  const lines: { level: string; message: string }[] = [];
  const log = (level: string) => (message: string) => lines.push({ level, message });
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  return { logger, lines };
}

describe('toInstanceList', () => {
  it('keeps only healthy, enabled instances with weight > 0, sorted by id', () => {
    const { instances } = toInstanceList('users', [
      host(3),
      host(1, { healthy: false }),
      host(2, { enabled: false }),
      host(4, { weight: 0 }),
      host(5, { weight: 2, metadata: { secure: 'true', zone: 'a' } }),
      { ...host(6), ip: '::1' },
    ]);
    expect(instances.map((i) => i.id)).toEqual(['10.0.0.1:3', '10.0.0.1:5', '[::1]:6']);
    expect(instances[1]).toEqual({
      id: '10.0.0.1:5',
      serviceName: 'users',
      host: '10.0.0.1',
      port: 5,
      weight: 2,
      healthy: true,
      secure: true,
      metadata: { secure: 'true', zone: 'a' },
    });
    expect(Object.isFrozen(instances)).toBe(true);
    expect(Object.isFrozen(instances[0])).toBe(true);
    expect(Object.isFrozen(instances[0]?.metadata)).toBe(true);
  });

  it('gives the same fingerprint to the same list in any order, and a new one to any visible change', () => {
    const a = toInstanceList('users', [host(1), host(2, { metadata: { x: '1', y: '2' } })]);
    const b = toInstanceList('users', [host(2, { metadata: { y: '2', x: '1' } }), host(1)]);
    expect(b.fingerprint).toBe(a.fingerprint);
    for (const changed of [
      [host(1), host(2, { metadata: { x: '1', y: '3' } })],
      [host(1, { weight: 3 }), host(2, { metadata: { x: '1', y: '2' } })],
      [host(1)],
      [host(1), host(2, { metadata: { x: '1', y: '2' } }), host(3)],
    ]) {
      expect(toInstanceList('users', changed).fingerprint).not.toBe(a.fingerprint);
    }
    // An instance turning unhealthy leaves the list: that is a change too.
    expect(toInstanceList('users', [host(1), host(2, { healthy: false })]).fingerprint).not.toBe(
      a.fingerprint,
    );
  });
});

describe('ServiceWatch', () => {
  const watches: ServiceWatch[] = [];
  afterEach(() => {
    for (const watch of watches.splice(0)) watch.stop();
  });

  /** A watch whose server answers with `answer.hosts` (or throws `answer.error`); never refreshes on its own. */
  function watchOf(answer: { hosts: NacosHost[]; error?: Error }, now: () => number = Date.now) {
    const { logger, lines } = recordingLogger();
    const outage = new OutageLog(logger, 'Nacos at http://127.0.0.1:8848', now);
    let calls = 0;
    const watch = new ServiceWatch('users', {
      list: async () => {
        calls++;
        if (answer.error !== undefined) throw answer.error;
        return answer.hosts;
      },
      intervalMs: 3_600_000,
      outage,
      logger,
    });
    watches.push(watch);
    return { watch, lines, outage, calls: () => calls };
  }

  it('answers from memory with the same array while the list does not change', async () => {
    const answer = { hosts: [host(1), host(2)] };
    const { watch, calls } = watchOf(answer);
    expect(watch.instances).toBeUndefined();
    const first = await watch.load();
    expect(watch.instances).toBe(first);
    expect(calls()).toBe(1);
    answer.hosts = [host(2), host(1)];
    expect(await watch.load()).toBe(first);
    answer.hosts = [host(1), host(2), host(3)];
    const second = await watch.load();
    expect(second).not.toBe(first);
    expect(second.map((i) => i.port)).toEqual([1, 2, 3]);
    // The old array is left as it was: a balancer may still hold it.
    expect(first.map((i) => i.port)).toEqual([1, 2]);
  });

  it('tells listeners about real changes only, and stops telling after unsubscribe', async () => {
    const answer = { hosts: [host(1)] };
    const { watch } = watchOf(answer);
    const heard: (readonly ServiceInstance[])[] = [];
    const stop = watch.subscribe((list) => heard.push(list));
    await watch.load();
    expect(heard.map((l) => l.map((i) => i.port))).toEqual([[1]]);
    await watch.load();
    await watch.load();
    expect(heard).toHaveLength(1);
    answer.hosts = [host(1), host(2)];
    await watch.load();
    expect(heard.map((l) => l.map((i) => i.port))).toEqual([[1], [1, 2]]);
    stop();
    answer.hosts = [host(2)];
    await watch.load();
    expect(heard).toHaveLength(2);
  });

  it('keeps the last good list when the server fails, logging one warning per outage', async () => {
    const answer: { hosts: NacosHost[]; error?: Error } = { hosts: [host(1)] };
    const { watch, lines } = watchOf(answer);
    const good = await watch.load();
    answer.error = new Error('[nacos] list failed: connect ECONNREFUSED');
    for (let i = 0; i < 5; i++) watch.refreshSoon();
    await expect(watch.load()).rejects.toThrow('ECONNREFUSED');
    // Several failed refreshes, one outage.
    for (let i = 0; i < 3; i++) {
      watch.refreshSoon();
      await watch.load().catch(() => {});
    }
    expect(watch.instances).toBe(good);
    expect(lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    expect(lines.find((l) => l.level === 'warn')?.message).toContain('ECONNREFUSED');
    answer.error = undefined;
    watch.refreshSoon();
    await watch.load();
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.filter((l) => l.level === 'info')).toHaveLength(1);
    expect(watch.instances).toBe(good);
  });

  it('does not believe an empty list during an outage or within 15 s after it', async () => {
    let now = 1_000_000;
    const answer: { hosts: NacosHost[]; error?: Error } = { hosts: [host(1), host(2)] };
    const { watch, outage } = watchOf(answer, () => now);
    const good = await watch.load();
    outage.failed(new Error('connect ECONNREFUSED'));
    // Back, but empty: a restarted Nacos before the heartbeats re-registered anyone.
    answer.hosts = [];
    expect(await watch.load()).toBe(good);
    outage.succeeded();
    now += 14_000;
    expect(await watch.load()).toBe(good);
    // A shrunken but non-empty list is believed at once.
    answer.hosts = [host(2)];
    expect((await watch.load()).map((i) => i.port)).toEqual([2]);
    // Long after the outage, an empty list means the service has no instances.
    answer.hosts = [];
    now += 2_000;
    expect(await watch.load()).toEqual([]);
  });

  it('believes an empty list when there was no outage', async () => {
    const answer = { hosts: [host(1)] };
    const { watch } = watchOf(answer);
    await watch.load();
    answer.hosts = [];
    expect(await watch.load()).toEqual([]);
  });

  it('lets a caller stop waiting with its signal', async () => {
    const { watch } = watchOf({ hosts: [] });
    const controller = new AbortController();
    controller.abort(new Error('caller gave up'));
    await expect(watch.load(controller.signal)).rejects.toThrow('caller gave up');
  });
});

describe('OutageLog', () => {
  it('warns once when failures start, then informs once when they end', () => {
    const { logger, lines } = recordingLogger();
    const outage = new OutageLog(logger, 'Nacos at http://127.0.0.1:8848');
    outage.succeeded();
    expect(lines).toEqual([]);
    for (let i = 0; i < 10; i++) outage.failed(new Error('[nacos] down'));
    expect(outage.down).toBe(true);
    outage.succeeded();
    outage.succeeded();
    outage.failed(new Error('again'));
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      expect.stringContaining('Nacos at http://127.0.0.1:8848 fails (down)'),
      expect.stringContaining('(again)'),
    ]);
    expect(lines.filter((l) => l.level === 'info')).toHaveLength(1);
  });
});
