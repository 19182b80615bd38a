import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { RegistryError, silentLogger } from '@service-caller/core';
import { waitFor } from '@service-caller/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consulRegistry } from '../src/index.js';
import type { DoubleToken } from './consul-double/acl.js';
import { agent, onCleanup, putService, recordingLogger, registryOn } from './helpers.js';

const TOKEN = 'b7e1c0de-5ec7-4e7a-9d1f-70ken5ecre7';

/** Everything a user could print of an error: message, stack, toString, and a deep inspect. */
function everythingPrintable(error: unknown): string {
  const e = error as Error;
  return [e.message, e.stack, String(e), inspect(e, { depth: 10, showHidden: true })].join('\n');
}

describe('ACL token', () => {
  it('sends the token in X-Consul-Token, never in the URL', async () => {
    const writer: DoubleToken = { secretId: TOKEN, accessorId: 'acc-1', servicePrefixes: { '': 'write' } };
    const double = await agent({ acl: { defaultPolicy: 'deny', tokens: [writer] } });
    const registry = registryOn(double, { token: TOKEN, check: { interval: 0.3 }, logger: silentLogger });
    await registry.register({ serviceName: 'orders', host: '127.0.0.1', port: 1 });
    await registry.getInstances('orders');
    await registry.deregister({ serviceName: 'orders', host: '127.0.0.1', port: 1 });
    const paths = new Set(double.requests.map((r) => r.path.split('/').slice(0, 4).join('/')));
    expect(paths).toEqual(new Set(['/v1/agent/service', '/v1/agent/check', '/v1/health/service']));
    for (const request of double.requests) {
      expect(request.headers['x-consul-token']).toBe(TOKEN);
      expect(request.query.has('token')).toBe(false);
      expect(request.status).toBe(200);
    }
  });

  it('turns a 403 on a bad token into a RegistryError that says so, with no token in it', async () => {
    const double = await agent({ acl: { defaultPolicy: 'deny', tokens: [] } });
    const registry = registryOn(double, { token: TOKEN, logger: silentLogger });
    const registering = await registry
      .register({ serviceName: 'orders', host: '127.0.0.1', port: 1 })
      .catch((e: unknown) => e);
    expect(registering).toBeInstanceOf(RegistryError);
    expect((registering as RegistryError).registry).toBe('consul');
    expect((registering as Error).message).toMatch(
      /^\[consul\] ACL token rejected \(403\) by the Consul agent at http:\/\/127\.0\.0\.1:\d+ while registering 'orders-127\.0\.0\.1-1': ACL not found\. Check app-registry\.consul\.token/,
    );
    expect(everythingPrintable(registering)).not.toContain(TOKEN);
    // The cause is a plain error: the HTTP request (and its token header) is not reachable from it.
    expect(Object.keys((registering as Error).cause as object)).not.toContain('response');

    const discovering = await registry.getInstances('orders').catch((e: unknown) => e);
    expect(discovering).toBeInstanceOf(RegistryError);
    expect((discovering as Error).message).toMatch(
      /ACL token rejected \(403\).*while discovering 'orders': ACL not found/,
    );
    expect(everythingPrintable(discovering)).not.toContain(TOKEN);
    expect(inspect(registry, { depth: 10, showHidden: true })).not.toContain(TOKEN);
    expect(String(registry)).not.toContain(TOKEN);
  });

  it('scrubs the token from whatever the server puts in its answer', async () => {
    // Not Consul (it never echoes tokens), but a proxy in front of it might.
    const proxy = createServer((req, res) => {
      res
        .writeHead(403, { 'content-type': 'text/plain' })
        .end(`token ${String(req.headers['x-consul-token'])} is not allowed`);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    onCleanup(() => new Promise((resolve) => proxy.close(resolve)));
    const registry = consulRegistry({
      port: (proxy.address() as AddressInfo).port,
      token: TOKEN,
      logger: silentLogger,
    });
    onCleanup(() => registry.close());
    const error = await registry.getInstances('orders').catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/ACL token rejected \(403\).*: token \*\*\* is not allowed/);
    expect(everythingPrintable(error)).not.toContain(TOKEN);
  });

  it('names the missing permission when the token lacks it, and the anonymous token when none is set', async () => {
    const reader: DoubleToken = {
      secretId: TOKEN,
      accessorId: 'acc-reader',
      servicePrefixes: { '': 'read' },
    };
    const double = await agent({ acl: { defaultPolicy: 'deny', tokens: [reader] } });
    const withReader = registryOn(double, { token: TOKEN, logger: silentLogger });
    const error = await withReader
      .register({ serviceName: 'orders', host: '127.0.0.1', port: 1 })
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /ACL token rejected \(403\).*Permission denied: token with AccessorID 'acc-reader' lacks permission 'service:write' on "orders"/,
    );
    const anonymous = registryOn(double, { logger: silentLogger });
    const anonymousError = await anonymous
      .register({ serviceName: 'orders', host: '127.0.0.1', port: 1 })
      .catch((e: unknown) => e);
    expect((anonymousError as Error).message).toMatch(/No token is configured/);
  });

  it('keeps the token out of background warnings when the agent starts refusing it', async () => {
    const tokens: DoubleToken[] = [
      { secretId: TOKEN, accessorId: 'acc-1', servicePrefixes: { '': 'write' } },
    ];
    const double = await agent({ acl: { defaultPolicy: 'deny', tokens } });
    await putService(double, { Name: 'search', Port: 2, Check: { TTL: '1h', Status: 'passing' } }, TOKEN);
    const logger = recordingLogger();
    const registry = registryOn(double, { token: TOKEN, wait: 0.2, check: { interval: 0.3 }, logger });
    await registry.register({ serviceName: 'orders', host: '127.0.0.1', port: 1 });
    const before = await registry.getInstances('search');
    tokens.splice(0); // the token is revoked
    await waitFor(() => logger.at('warn').length >= 2, {
      message: 'warnings for the heartbeat and the watch',
    });
    const warnings = logger.at('warn').map((l) => l.message);
    expect(warnings.some((m) => /ACL token rejected \(403\).*passing the TTL check/.test(m))).toBe(true);
    expect(warnings.some((m) => /ACL token rejected \(403\).*discovering 'search'/.test(m))).toBe(true);
    expect(registry.getCachedInstances('search')).toBe(before);
    for (const line of logger.lines) {
      expect(line.message).not.toContain(TOKEN);
      expect(JSON.stringify(line.fields ?? {})).not.toContain(TOKEN);
    }
  });
});

describe('TLS', () => {
  let dir: string;
  let key: Buffer;
  let cert: Buffer;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'consul-double-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    key = readFileSync(join(dir, 'key.pem'));
    cert = readFileSync(join(dir, 'cert.pem'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('talks https to an agent whose certificate chains to the given CA', async () => {
    const double = await agent({ tls: { key, cert } });
    expect(double.url.startsWith('https://')).toBe(true);
    const registry = registryOn(double, { secure: true, ca: cert, logger: silentLogger });
    await registry.register({ serviceName: 'orders', host: '127.0.0.1', port: 1 });
    expect((await registry.getInstances('orders')).map((i) => i.port)).toEqual([1]);
  });

  it('refuses an agent certificate it cannot verify, and says it is a TLS failure', async () => {
    const double = await agent({ tls: { key, cert } });
    const registry = registryOn(double, { secure: true, logger: silentLogger });
    const error = await registry.getInstances('orders').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as Error).message).toMatch(
      /cannot reach the Consul agent at https:\/\/127\.0\.0\.1:\d+ .*a TLS failure/,
    );
    expect(double.requests).toEqual([]);
  });
});
