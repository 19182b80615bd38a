import { describe, expect, it } from 'vitest';
import { sameInstance } from '../src/adapter.js';
import type { ServiceInstance } from '../src/index.js';

const base: ServiceInstance = {
  id: '127.0.0.1:8081',
  serviceName: 'users',
  host: '127.0.0.1',
  port: 8081,
  weight: 1,
  healthy: true,
  metadata: { zone: 'a' },
};

describe('sameInstance', () => {
  it('is true for equal instances, whatever the metadata key order', () => {
    expect(sameInstance(base, { ...base })).toBe(true);
    const two = { ...base, metadata: { zone: 'a', v: '2' } };
    expect(sameInstance(two, { ...base, metadata: { v: '2', zone: 'a' } })).toBe(true);
  });

  it.each<[string, Partial<ServiceInstance>]>([
    ['id', { id: 'other' }],
    ['service', { serviceName: 'orders' }],
    ['host', { host: '127.0.0.2' }],
    ['port', { port: 8082 }],
    ['weight', { weight: 2 }],
    ['health', { healthy: false }],
    ['TLS', { secure: true }],
    ['a metadata value', { metadata: { zone: 'b' } }],
    ['a metadata key', { metadata: { zone: 'a', extra: '' } }],
  ])('is false when the %s differs', (_what, change) => {
    expect(sameInstance(base, { ...base, ...change })).toBe(false);
  });
});
