import { describe, expect, it } from 'vitest';
import type { PickContext } from '../contracts/balancer.js';
import type { ServiceInstance } from '../contracts/instance.js';
import type { CallOptions } from '../contracts/request.js';
import { ConfigError } from '../errors/index.js';
import { consistentHash, hash32 } from './consistent-hash.js';

function instance(id: string, weight = 1): ServiceInstance {
  return { id, serviceName: 'orders', host: id, port: 80, weight, healthy: true, metadata: {} };
}

function range(count: number): ServiceInstance[] {
  return Array.from({ length: count }, (_, i) => instance(`10.0.0.${i}:8080`));
}

function call(options: CallOptions = {}, path = '/x', tried: readonly ServiceInstance[] = []): PickContext {
  return { serviceName: 'orders', attempt: tried.length + 1, triedInstances: tried, path, options };
}

const byHeader = (value: string) => call({ headers: { 'X-User-Id': value } });

describe('consistentHash', () => {
  it('sends the same key to the same instance while the list is unchanged', () => {
    const balancer = consistentHash({ key: { header: 'x-user-id' } });
    const instances = range(5);
    for (let user = 0; user < 50; user++) {
      const first = balancer.pick(instances, byHeader(`u${user}`)).instance;
      for (let k = 0; k < 5; k++) expect(balancer.pick(instances, byHeader(`u${user}`)).instance).toBe(first);
      // Same contents in a new array: the same instance.
      expect(balancer.pick([...instances], byHeader(`u${user}`)).instance.id).toBe(first.id);
    }
  });

  it("moves at most 15% of the keys (only the leaving instance's) when one of 10 instances leaves", () => {
    const balancer = consistentHash({ key: { header: 'x-user-id' } });
    const ten = range(10);
    const nine = ten.filter((_, i) => i !== 4);
    const keys = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);
    const before = keys.map((k) => balancer.pick(ten, byHeader(k)).instance.id);
    const after = keys.map((k) => balancer.pick(nine, byHeader(k)).instance.id);
    const moved = keys.filter((_, i) => before[i] !== after[i]);
    expect(moved.length / keys.length).toBeLessThanOrEqual(0.15);
    // Only the keys of the instance that left moved, and every instance keeps a fair share.
    expect(keys.every((_, i) => before[i] === after[i] || before[i] === ten[4]!.id)).toBe(true);
    for (const inst of ten) {
      const share = before.filter((id) => id === inst.id).length / keys.length;
      expect(share).toBeGreaterThan(0.06);
      expect(share).toBeLessThan(0.14);
    }
  });

  it("reads the key from a query parameter (the call's query or its path) or a function", () => {
    const instances = range(8);
    const byQuery = consistentHash({ key: { query: 'tenant' } });
    const fromOptions = byQuery.pick(instances, call({ query: { tenant: 'acme' } })).instance;
    const fromParams = byQuery.pick(
      instances,
      call({ query: new URLSearchParams({ tenant: 'acme' }) }),
    ).instance;
    const fromPath = byQuery.pick(instances, call({}, '/x?tenant=acme&y=1')).instance;
    expect(fromParams).toBe(fromOptions);
    expect(fromPath).toBe(fromOptions);
    const byFunction = consistentHash({ key: (context) => String(context.options?.headers?.tenant) });
    const byHeaderName = consistentHash({ key: { header: 'TENANT' } });
    expect(byFunction.pick(instances, call({ headers: { tenant: 'acme' } })).instance).toBe(
      byHeaderName.pick(instances, call({ headers: { tenant: 'acme' } })).instance,
    );
  });

  it('spreads calls without a key at random, and sends a retry to the next instance not tried', () => {
    const balancer = consistentHash({ key: { header: 'x-user-id' }, seed: 3 });
    const instances = range(4);
    const seen = new Set(Array.from({ length: 200 }, () => balancer.pick(instances, call()).instance.id));
    expect(seen.size).toBe(4);
    const first = balancer.pick(instances, byHeader('ann')).instance;
    const retry = balancer.pick(instances, call({ headers: { 'x-user-id': 'ann' } }, '/x', [first])).instance;
    expect(retry.id).not.toBe(first.id);
    // The retry is stable too: the next along the ring.
    expect(balancer.pick(instances, call({ headers: { 'x-user-id': 'ann' } }, '/x', [first])).instance).toBe(
      retry,
    );
  });

  it('gives a heavier instance a larger share of the keys', () => {
    const balancer = consistentHash({ key: { header: 'x-user-id' } });
    const instances = [instance('heavy', 3), instance('light-1'), instance('light-2')];
    const ids = Array.from(
      { length: 5_000 },
      (_, i) => balancer.pick(instances, byHeader(`k${i}`)).instance.id,
    );
    const heavy = ids.filter((id) => id === 'heavy').length / ids.length;
    expect(heavy).toBeGreaterThan(0.5);
    expect(heavy).toBeLessThan(0.7);
  });

  it('refuses a missing or malformed key, and a bad point count', () => {
    expect(() => consistentHash({} as never)).toThrow(ConfigError);
    expect(() => consistentHash({ key: { header: '' } })).toThrow(
      '<consistentHash>: key.header: expected a header name, found ""',
    );
    expect(() => consistentHash({ key: { cookie: 'x' } as never })).toThrow(
      "<consistentHash>: key: expected { header: 'name' }, { query: 'name' } or a function (context) => key, found an object",
    );
    expect(() => consistentHash({ key: { query: 'q' }, pointsPerInstance: 0 })).toThrow(
      '<consistentHash>: pointsPerInstance: expected a whole number from 1 to 10000, found 0',
    );
  });

  it('hashes strings to well spread 32-bit values', () => {
    expect(hash32('a')).not.toBe(hash32('b'));
    const buckets = new Array(16).fill(0);
    for (let i = 0; i < 16_000; i++) buckets[hash32(`10.0.0.1:8080#${i}`) >>> 28]++;
    for (const count of buckets) expect(Math.abs(count - 1000)).toBeLessThan(150);
  });
});
