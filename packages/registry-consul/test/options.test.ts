import { ConfigError } from '@service-caller/core';
import { describe, expect, it } from 'vitest';
import { type ConsulRegistryOptions, consulRegistry } from '../src/index.js';
import { normalizeOptions } from '../src/options.js';

describe('options', () => {
  it('applies the documented defaults', () => {
    const o = normalizeOptions();
    expect(o).toMatchObject({
      host: '127.0.0.1',
      port: 8500,
      secure: false,
      weight: 1,
      tags: [],
      meta: {},
      check: { type: 'ttl', intervalMs: 10_000, path: '/health', deregisterCriticalAfterMs: 60_000 },
      waitMs: 30_000,
      timeoutMs: 10_000,
      agentUrl: 'http://127.0.0.1:8500',
    });
  });

  it('takes a parsed app-registry.consul section as it is', () => {
    // The shape config-yaml's ConsulConfig has, handed over by the facade with a logger.
    const section = {
      host: 'consul.local',
      port: 8501,
      secure: true,
      token: 'secret',
      datacenter: 'dc2',
      appName: 'orders',
      ip: '10.0.0.7',
      servicePort: 8080,
      tags: ['a'],
      meta: { zone: 'z' },
      weight: 2,
      check: { type: 'http' as const, interval: 5, path: '/ready', deregisterCriticalAfter: 120 },
    };
    const o = normalizeOptions(section);
    expect(o).toMatchObject({ agentUrl: 'https://consul.local:8501', datacenter: 'dc2', weight: 2 });
    expect(o.check).toEqual({
      type: 'http',
      intervalMs: 5000,
      path: '/ready',
      deregisterCriticalAfterMs: 120_000,
    });
  });

  it('builds without any I/O', () => {
    // Port 1 has no agent: building must not try to reach it.
    const registry = consulRegistry({ port: 1 });
    expect(registry.name).toBe('consul');
    expect(registry.getCachedInstances!('anything')).toBeUndefined();
    return registry.close();
  });

  const bad: Array<[ConsulRegistryOptions, string, RegExp]> = [
    [{ port: 0 }, 'app-registry.consul.port', /an integer port 1-65535, found 0/],
    [{ port: 8500.5 }, 'app-registry.consul.port', /found 8500.5/],
    [{ host: '' }, 'app-registry.consul.host', /a non-empty string/],
    [{ secure: 'yes' as unknown as boolean }, 'app-registry.consul.secure', /true or false, found "yes"/],
    [{ servicePort: 70000 }, 'app-registry.consul.service-port', /found 70000/],
    [{ weight: -1 }, 'app-registry.consul.weight', /found -1/],
    [{ tags: ['ok', ''] }, 'app-registry.consul.tags', /list of non-empty strings/],
    [{ meta: { a: 1 as unknown as string } }, 'app-registry.consul.meta', /map of strings to strings/],
    [{ check: { type: 'tcp' as 'ttl' } }, 'app-registry.consul.check.type', /'ttl' or 'http', found "tcp"/],
    [{ check: { interval: 0 } }, 'app-registry.consul.check.interval', /seconds > 0, found 0/],
    [{ check: { path: 'health' } }, 'app-registry.consul.check.path', /starting with '\/'/],
    [{ wait: 601 }, 'app-registry.consul.wait', /at most 600 seconds/],
    [{ ca: 42 as unknown as string }, 'app-registry.consul.ca', /PEM string or Buffer/],
  ];

  it.each(bad)('refuses %j with a ConfigError naming %s', (options, keyPath, message) => {
    const error = (() => {
      try {
        consulRegistry(options);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).keyPath).toBe(keyPath);
    expect((error as Error).message).toMatch(message);
  });

  it('takes an empty token as none (what an unset variable in the YAML token expands to)', () => {
    expect(normalizeOptions({ token: '' }).token).toBeUndefined();
  });

  it('never echoes a bad token', () => {
    const error = (() => {
      try {
        consulRegistry({ token: 42 as unknown as string });
      } catch (e) {
        return e as ConfigError;
      }
      return undefined;
    })();
    expect(error?.keyPath).toBe('app-registry.consul.token');
    expect(error?.found).toBe('***');
    expect(error?.message).not.toContain('42');
  });
});
