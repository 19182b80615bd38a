import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { ClosedError, RegistryError, silentLogger } from '@service-caller/core';
import { waitFor } from '@service-caller/testkit';
import { describe, expect, it } from 'vitest';
import { agent, healthRequests, onCleanup, recordingLogger, registryOn, upstream } from './helpers.js';

describe('registration', () => {
  it('registers id {app-name}-{ip}-{port}, address, port, tags, meta with the weight, Weights and a TTL check', async () => {
    const double = await agent();
    const registry = registryOn(double, {
      tags: ['v2', 'blue'],
      meta: { zone: 'a', team: 'core' },
      check: { interval: 10, deregisterCriticalAfter: 90 },
      logger: silentLogger,
    });
    await registry.register({
      serviceName: 'orders',
      host: '127.0.0.1',
      port: 8080,
      weight: 2.5,
      metadata: { team: 'payments' },
    });
    const [service] = double.state.allServices();
    expect(service).toMatchObject({
      id: 'orders-127.0.0.1-8080',
      name: 'orders',
      address: '127.0.0.1',
      port: 8080,
      tags: ['v2', 'blue'],
      meta: { zone: 'a', team: 'payments', weight: '2.5' },
      weights: { Passing: 3, Warning: 1 },
    });
    const [check] = double.state.allChecks();
    expect(check!.definition).toMatchObject({
      checkId: 'service:orders-127.0.0.1-8080',
      ttlMs: 10_000,
      deregisterCriticalAfterMs: 90_000,
    });
    // The registry passes the TTL right after registering: the instance is routable at once.
    expect(check!.status).toBe('passing');
    const register = double.requests.find((r) => r.path === '/v1/agent/service/register')!;
    expect(register.method).toBe('PUT');
    expect(register.query.get('replace-existing-checks')).toBe('true');
  });

  it('uses the registration id when given, and rounds Consul weights to integers >= 1', async () => {
    const double = await agent();
    const registry = registryOn(double, { logger: silentLogger });
    await registry.register({
      serviceName: 'orders',
      host: '127.0.0.1',
      port: 1,
      id: 'orders-primary',
      weight: 0,
    });
    expect(double.state.allServices()[0]).toMatchObject({
      id: 'orders-primary',
      meta: { weight: '0' },
      weights: { Passing: 1, Warning: 1 },
    });
    const [instance] = await registryOn(double, { logger: silentLogger }).getInstances('orders');
    expect(instance).toMatchObject({ id: 'orders-primary', weight: 0, healthy: true });
  });

  it('registers an HTTP check on the configured path, which Consul runs against the instance', async () => {
    const double = await agent();
    let status = 200;
    const { port } = await upstream('orders', () => status);
    const registry = registryOn(double, {
      check: { type: 'http', interval: 0.05, path: '/ready' },
      logger: silentLogger,
    });
    await registry.register({ serviceName: 'orders', host: '127.0.0.1', port });
    expect(double.state.allChecks()[0]!.definition).toMatchObject({
      http: `http://127.0.0.1:${port}/ready`,
      intervalMs: 50,
      deregisterCriticalAfterMs: 60_000,
    });
    const observer = registryOn(double, { wait: 5, logger: silentLogger });
    await waitFor(async () => (await observer.getInstances('orders')).length === 1, {
      message: 'the HTTP check passing',
    });
    status = 500;
    await waitFor(async () => (await observer.getInstances('orders')).length === 0, {
      message: 'the HTTP check failing takes the instance out of the passing list',
    });
  });

  it('keeps a TTL check passing with a pass every third of the TTL', async () => {
    const double = await agent();
    // A TTL of 3 s leaves a busy test machine a second or two of slack between passes.
    const registry = registryOn(double, { check: { interval: 3 }, logger: silentLogger });
    await registry.register({ serviceName: 'orders', host: '127.0.0.1', port: 1 });
    const check = double.state.allChecks()[0]!;
    const passingSince = check.modifyIndex;
    const passes = () => double.requests.filter((r) => r.path.startsWith('/v1/agent/check/pass/')).length;
    // Five passes, one a second, span more than the TTL: without them the check would have expired.
    await waitFor(() => passes() >= 5, { message: 'five TTL passes' });
    expect(check.status).toBe('passing');
    // The check never left passing: a status change would have raised its modify index.
    expect(check.modifyIndex).toBe(passingSince);
  });

  it('lets the check turn critical when the process dies, and Consul deregisters it later', async () => {
    const double = await agent({ minDeregisterCriticalAfterMs: 0, reapIntervalMs: 50 });
    const observer = registryOn(double, { wait: 5, logger: silentLogger });
    const fixture = fileURLToPath(new URL('./fixtures/register-then-hang.ts', import.meta.url));
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', fixture, String(double.port), 'crashy', '4321', '0.5'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    onCleanup(() => child.kill('SIGKILL'));
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    await waitFor(() => out.includes('registered'), { timeout: 30_000, message: 'the child registering' });
    await waitFor(async () => (await observer.getInstances('crashy')).length === 1, {
      message: 'the child instance passing',
    });
    const heartbeatsWhileAlive = double.requests.filter(
      (r) => r.path === '/v1/agent/check/pass/service:crashy-127.0.0.1-4321',
    );
    expect(heartbeatsWhileAlive.length).toBeGreaterThanOrEqual(1);

    child.kill('SIGKILL');
    await once(child, 'exit');
    await waitFor(() => double.state.allChecks().some((c) => c.output === 'TTL expired'), {
      message: 'the TTL expiring without heartbeats',
    });
    await waitFor(async () => (await observer.getInstances('crashy')).length === 0, {
      message: 'the critical instance leaving the passing list',
    });
    await waitFor(() => double.state.allServices().length === 0, {
      message: 'DeregisterCriticalServiceAfter removing the dead instance',
    });
  });

  it('registers again when the agent forgets the instance (an agent restarted without its data)', async () => {
    const double = await agent();
    const logger = recordingLogger();
    const registry = registryOn(double, { check: { interval: 0.3 }, logger });
    await registry.register({ serviceName: 'orders', host: '127.0.0.1', port: 1 });
    await double.restartEmpty();
    expect(double.state.allServices()).toEqual([]);
    await waitFor(
      () => double.state.allServices().length === 1 && double.state.allChecks()[0]?.status === 'passing',
      {
        message: 'the heartbeat registering the instance again',
      },
    );
    expect(logger.at('info').some((l) => l.message.includes('registered it again'))).toBe(true);
  });

  it('deregisters on deregister() and on close(); close() is idempotent and ends the heartbeat', async () => {
    const double = await agent();
    const registry = registryOn(double, { check: { interval: 0.3 }, logger: silentLogger });
    await registry.register({ serviceName: 'orders', host: '127.0.0.1', port: 1 });
    await registry.register({ serviceName: 'orders', host: '127.0.0.1', port: 2 });
    await registry.deregister({ serviceName: 'orders', host: '127.0.0.1', port: 1 });
    expect(double.state.allServices().map((s) => s.id)).toEqual(['orders-127.0.0.1-2']);
    await registry.close();
    await registry.close();
    expect(double.state.allServices()).toEqual([]);
    const passes = () => double.requests.filter((r) => r.path.startsWith('/v1/agent/check/pass/')).length;
    const afterClose = passes();
    // A blocking query on another service spans several heartbeat periods of the closed registry.
    const observer = registryOn(double, { wait: 1, logger: silentLogger });
    await observer.getInstances('other');
    await waitFor(
      () => healthRequests(double, 'other').some((r) => r.query.has('index') && r.status === 200),
      {
        message: 'one full blocking query on another service',
      },
    );
    expect(passes()).toBe(afterClose);
    await expect(
      registry.register({ serviceName: 'orders', host: '127.0.0.1', port: 1 }),
    ).rejects.toBeInstanceOf(ClosedError);
    await expect(registry.getInstances('orders')).rejects.toBeInstanceOf(ClosedError);
  });

  it('rejects a bad registration with a RegistryError that names the field', async () => {
    const double = await agent();
    const registry = registryOn(double, { logger: silentLogger });
    const bad = [
      [{ serviceName: '', host: '127.0.0.1', port: 1 }, /service name/],
      [{ serviceName: 'x', host: '', port: 1 }, /host must be/],
      [{ serviceName: 'x', host: '127.0.0.1', port: 0 }, /port must be an integer 1-65535, got 0/],
      [{ serviceName: 'x', host: '127.0.0.1', port: 1, weight: -1 }, /weight must be/],
    ] as const;
    for (const [instance, message] of bad) {
      const error = await registry.register(instance).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RegistryError);
      expect((error as Error).message).toMatch(message);
    }
    expect(double.requests).toEqual([]);
  });

  it("passes Consul's own refusal on as a RegistryError with Consul's reason", async () => {
    const double = await agent();
    const registry = registryOn(double, { meta: { 'consul-reserved': 'x' }, logger: silentLogger });
    const error = await registry
      .register({ serviceName: 'x', host: '127.0.0.1', port: 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as Error).message).toMatch(
      /answered 400 while registering 'x-127.0.0.1-1': Invalid Service Meta/,
    );
  });
});
