import { describe, expect, it } from 'vitest';
import { originOf } from '../src/engine/origin.js';
import type { ServiceInstance } from '../src/index.js';

function instance(host: string, port: number): ServiceInstance {
  return { id: `${host}:${port}`, serviceName: 's', host, port, weight: 1, healthy: true, metadata: {} };
}

describe('originOf', () => {
  it('builds http and https origins and hands out the same string while the instance is unchanged', () => {
    const a = instance('127.0.0.1', 8081);
    const first = originOf('http', a);
    expect(first).toBe('http://127.0.0.1:8081');
    expect(originOf('https', a)).toBe('https://127.0.0.1:8081');
    expect(originOf('http', a)).toBe(first);
  });

  it('brackets an IPv6 literal once, and leaves a bracketed one alone', () => {
    expect(originOf('http', instance('::1', 80))).toBe('http://[::1]:80');
    expect(originOf('http', instance('[::1]', 80))).toBe('http://[::1]:80');
  });

  it('rebuilds the origin of an instance object changed in place', () => {
    const mutable = { ...instance('127.0.0.1', 1) } as {
      -readonly [K in keyof ServiceInstance]: ServiceInstance[K];
    };
    expect(originOf('http', mutable)).toBe('http://127.0.0.1:1');
    mutable.port = 2;
    expect(originOf('http', mutable)).toBe('http://127.0.0.1:2');
    mutable.host = 'localhost';
    expect(originOf('http', mutable)).toBe('http://localhost:2');
  });
});
