import { describe, expect, it } from 'vitest';
import { toInstances } from '../src/instances.js';
import { NacosOutage } from '../src/outage-log.js';
import { nacosHost as host, recordingLogger } from './fixtures.js';

describe('toInstances', () => {
  it('keeps only healthy, enabled instances with weight > 0, sorted by id', () => {
    const instances = toInstances('users', [
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
    expect(Object.isFrozen(instances[0])).toBe(true);
    expect(Object.isFrozen(instances[0]?.metadata)).toBe(true);
  });

  it('keeps the configured cluster only, and hosts that name no cluster', () => {
    const instances = toInstances(
      'users',
      [host(1, { clusterName: 'A' }), host(2, { clusterName: 'B' }), host(3)],
      'A',
    );
    expect(instances.map((i) => i.port)).toEqual([1, 3]);
  });
});

describe('NacosOutage', () => {
  it('warns once when failures start, then informs once when they end, in Nacos wording', () => {
    const { logger, lines } = recordingLogger();
    const outage = new NacosOutage(logger, 'Nacos at http://127.0.0.1:8848');
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
    expect(lines.filter((l) => l.level === 'info').map((l) => l.message)).toEqual([
      expect.stringMatching(/answers again after \d+ s/),
    ]);
  });
});
