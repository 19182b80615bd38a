import { createServer } from 'node:net';
import { isRegistryError, type Logger, type ServiceRegistry } from '@service-caller/core';
import { waitFor } from '@service-caller/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { builtInApi, httpFor } from '../src/built-in-api.js';
import { type NacosRegistryOptions, nacosRegistry } from '../src/index.js';
import { NacosHttp } from '../src/nacos-http.js';
import { NacosRegistry } from '../src/nacos-registry.js';
import { normalizeOptions, parseServerAddr } from '../src/options.js';
import { NacosStandIn } from './nacos-stand-in.js';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The empty-list hold in the tests that wait for its end (15 s in use: EMPTY_LIST_HOLD_MS). */
const HOLD_MS = 4000;

describe('the Nacos HTTP protocols, against a stand-in server (the real ones run the integration tests)', () => {
  let nacos: NacosStandIn;
  const registries: ServiceRegistry[] = [];
  const open = (options: Partial<NacosRegistryOptions> = {}) => {
    const registry = nacosRegistry({
      serverAddr: nacos.origin,
      logger: silent,
      refreshInterval: 100,
      ...options,
    });
    registries.push(registry);
    return registry;
  };

  /** A registry whose empty-list hold lasts `HOLD_MS` instead of 15 s. */
  const openHolding = (options: Partial<NacosRegistryOptions> = {}) => {
    const registry = new NacosRegistry({
      ...normalizeOptions({ serverAddr: nacos.origin, logger: silent, refreshInterval: 100, ...options }),
      emptyListHoldMs: HOLD_MS,
    });
    registries.push(registry);
    return registry;
  };

  beforeEach(async () => {
    nacos = await new NacosStandIn().start();
  });
  afterEach(async () => {
    await Promise.all(registries.splice(0).map((r) => r.close()));
    await nacos.stop();
  });

  it('is detected, and registers, lists, renews and deregisters with v3 requests', async () => {
    const registry = openHolding({ heartbeatInterval: 0.05, metadata: { team: 'core' } });
    await registry.register({
      serviceName: 'orders',
      host: '127.0.0.1',
      port: 9001,
      weight: 3,
      metadata: { zone: 'a' },
    });
    expect((registry as NacosRegistry).protocol).toBe('v3');
    const register = nacos.seen.find(
      (r) => r.method === 'POST' && r.url.startsWith('/nacos/v3/client/ns/instance?'),
    );
    const params = new URL(register!.url, 'http://x').searchParams;
    expect(Object.fromEntries(params)).toMatchObject({
      serviceName: 'orders',
      groupName: 'DEFAULT_GROUP',
      namespaceId: 'public',
      clusterName: 'DEFAULT',
      ip: '127.0.0.1',
      port: '9001',
      weight: '3',
      ephemeral: 'true',
    });
    expect(JSON.parse(params.get('metadata')!)).toEqual({ team: 'core', zone: 'a' });

    const [instance] = await registry.getInstances('orders');
    expect(instance).toMatchObject({
      host: '127.0.0.1',
      port: 9001,
      weight: 3,
      metadata: { team: 'core', zone: 'a' },
    });

    await waitFor(() => nacos.seen.some((r) => r.url.includes('heartBeat=true')), {
      timeout: 10_000,
      message: 'a v3 heartbeat',
    });
    // A restarted server answers the next heartbeat with "instance not found": register again.
    nacos.restart();
    await waitFor(() => (nacos.store.get('public|DEFAULT_GROUP|orders')?.length ?? 0) === 1, {
      timeout: 10_000,
      message: 'the instance registered again after the restart',
    });
    await registry.deregister({ serviceName: 'orders', host: '127.0.0.1', port: 9001 });
    expect(nacos.store.get('public|DEFAULT_GROUP|orders')).toEqual([]);
    // The restart seen arms the hold in which an empty list is not believed (a restarted server
    // answers empty until its clients re-registered), so the empty list lands after it.
    await waitFor(async () => (await registry.getInstances('orders')).length === 0, {
      timeout: HOLD_MS + 10_000,
      message: 'the deregistered instance gone from the cache once the restart hold ended',
    });
  }, 40_000);

  it('logs in with the password in the body only, sends the token as a header, and renews it', async () => {
    nacos.authEnabled = true;
    nacos.tokenTtl = 1;
    const registry = open({
      username: 'nacos',
      password: nacos.password,
      apiVersion: 'v3',
      refreshInterval: 50,
    });
    await registry.getInstances('users');
    const logins = () => nacos.seen.filter((r) => r.url === '/nacos/v3/auth/user/login');
    expect(logins()).toHaveLength(1);
    expect(logins()[0]!.body).toBe(`username=nacos&password=${nacos.password}`);
    const list = nacos.seen.find((r) => r.url.startsWith('/nacos/v3/client/ns/instance/list'));
    expect(list!.headers.accesstoken).toMatch(/^t\d+$/);
    // A 1-second token is renewed after 0.8 s by the background refreshes.
    await waitFor(() => logins().length >= 2, {
      timeout: 10_000,
      message: 'a second login renewing the token',
    });
    // A server that forgot its tokens (a restart) gets a fresh login, not an error.
    nacos.tokens.clear();
    const before = logins().length;
    await registry.register({ serviceName: 'users', host: '127.0.0.1', port: 9002 });
    expect(logins().length).toBeGreaterThan(before);
    for (const request of nacos.seen) expect(request.url).not.toContain(nacos.password);
  });

  it('rejects a wrong password with a RegistryError that does not show it', async () => {
    nacos.authEnabled = true;
    const registry = open({ username: 'nacos', password: 'wrong-secret-42' });
    const error = await registry.getInstances('users').catch((e: unknown) => e);
    expect(isRegistryError(error)).toBe(true);
    expect((error as Error).message).toContain("log in as 'nacos'");
    expect((error as Error).message).toContain('the server refused the login');
    expect((error as Error).message).not.toContain('wrong-secret-42');
    expect(JSON.stringify(error)).not.toContain('wrong-secret-42');
  });

  it('says the server refused the login when it answers a wrong password with HTTP 500, as Nacos 3.0.3 does', async () => {
    nacos.authEnabled = true;
    nacos.refusedLoginStatus = 500;
    const error = await open({ username: 'nacos', password: 'wrong-secret-43' })
      .getInstances('users')
      .catch((e: unknown) => e);
    expect(isRegistryError(error)).toBe(true);
    expect((error as Error).message).toContain('the server refused the login (HTTP 500');
    expect((error as Error).message).not.toContain('No message available');
    expect((error as Error).message).not.toContain('wrong-secret-43');
  });

  it('says so when the server needs credentials and none are configured', async () => {
    nacos.authEnabled = true;
    const error = await open()
      .getInstances('users')
      .catch((e: unknown) => e);
    expect(isRegistryError(error)).toBe(true);
    expect((error as Error).message).toContain('requires authentication');
  });

  it('fails over to the next server when one cannot be reached', async () => {
    const dead = await closedPort();
    const registry = open({ serverAddr: `127.0.0.1:${dead},${nacos.origin}` });
    await registry.register({ serviceName: 'billing', host: '127.0.0.1', port: 9003 });
    expect((await registry.getInstances('billing')).map((i) => i.port)).toEqual([9003]);
  });

  it('spreads requests over the servers, passes over one that is down, and uses it again once back', async () => {
    nacos.mode = 'v2';
    const other = await new NacosStandIn().start();
    other.mode = 'v2';
    const otherPort = Number(other.origin.split(':')[1]);
    const origin = `http://${other.origin}`;
    const http = new NacosHttp({
      servers: parseServerAddr(`${nacos.origin},${other.origin}`, false),
      timeoutMs: 2000,
      username: undefined,
      password: undefined,
      apiVersion: 'v1',
    });
    const list = async () => {
      const response = await http.send({
        op: 'list',
        method: 'GET',
        path: '/nacos/v1/ns/instance/list',
        query: { serviceName: 'x' },
      });
      expect(response.status).toBe(200);
    };
    try {
      for (let i = 0; i < 4; i++) await list();
      expect(http.stats.answers).toEqual({ [`http://${nacos.origin}`]: 2, [origin]: 2 });
      await other.stop();
      // Every request still succeeds: the dead server is tried once, then passed over.
      for (let i = 0; i < 10; i++) await list();
      expect(http.stats.answers[origin]).toBe(2);
      await other.start(otherPort);
      // Passed over for 2 s after its one failure, then used again.
      await waitFor(
        async () => {
          await list();
          return http.stats.answers[origin]! > 2;
        },
        { timeout: 10_000, message: 'the server that came back answering again' },
      );
    } finally {
      await http.close();
      await other.stop();
    }
  });

  it('holds a non-empty list while a member that refused connections comes back empty, then believes it', async () => {
    // A restarted member of a cluster may answer before its peers gave it their data (r-nacos
    // does: in CI a member back from SIGKILL listed a service empty for seconds, failing calls).
    nacos.mode = 'v2';
    const other = await new NacosStandIn().start();
    other.mode = 'v2';
    const otherPort = Number(other.origin.split(':')[1]);
    const origin = `http://${other.origin}`;
    const instance = {
      ip: '127.0.0.1',
      port: 9005,
      weight: 1,
      healthy: true,
      enabled: true,
      ephemeral: true,
      clusterName: 'DEFAULT',
      serviceName: 'DEFAULT_GROUP@@orders',
      metadata: {},
    };
    for (const server of [nacos, other]) server.store.set('public|DEFAULT_GROUP|orders', [{ ...instance }]);
    const options = {
      ...normalizeOptions({
        serverAddr: `${nacos.origin},${other.origin}`,
        apiVersion: 'v1',
        refreshInterval: 20,
        logger: silent,
      }),
      emptyListHoldMs: HOLD_MS,
    };
    const http = httpFor(options);
    const registry = new NacosRegistry(options, builtInApi(options, http));
    registries.push(registry);
    try {
      expect((await registry.getInstances('orders')).length).toBe(1);
      await other.stop();
      const unreachable = () => http.stats.unreachable[origin] ?? 0;
      await waitFor(() => unreachable() > 0, {
        timeout: 5000,
        message: 'a refresh meeting the stopped member',
      });
      // Back, empty: it knows no instance yet.
      other.restart();
      await other.start(otherPort);
      const answersAtRestart = http.stats.answers[origin] ?? 0;
      await waitFor(() => (http.stats.answers[origin] ?? 0) >= answersAtRestart + 3, {
        timeout: 10_000,
        message: 'the member that came back answering three refreshes',
      });
      expect(registry.getCachedInstances('orders')?.length).toBe(1);
      // Once the other member has forgotten it too, the empty list is believed (after the hold).
      nacos.restart();
      await waitFor(() => registry.getCachedInstances('orders')?.length === 0, {
        timeout: HOLD_MS + 15_000,
        interval: 100,
        message: 'the empty list believed once the hold is over',
      });
    } finally {
      await other.stop();
    }
  }, 40_000);

  it('names every server it tried when none answers', async () => {
    const [a, b] = [await closedPort(), await closedPort()];
    const registry = open({ serverAddr: `127.0.0.1:${a},127.0.0.1:${b}`, requestTimeout: 2000 });
    const error = await registry.getInstances('billing').catch((e: unknown) => e);
    expect(isRegistryError(error)).toBe(true);
    expect((error as Error).message).toContain(`http://127.0.0.1:${a}`);
    expect((error as Error).message).toContain(`http://127.0.0.1:${b}`);
    expect((error as Error).message).toContain('ECONNREFUSED');
  });

  it('registers again when a v1 beat answers 20404, beating at the interval the server names', async () => {
    nacos.mode = 'v2';
    nacos.beatIntervalMs = 100;
    const registry = open({ heartbeatInterval: 0.05 });
    await registry.register({ serviceName: 'ledger', host: '127.0.0.1', port: 9004, metadata: { v: '1' } });
    expect((registry as NacosRegistry).protocol).toBe('v1');
    const beats = () => nacos.seen.filter((r) => r.url.startsWith('/nacos/v1/ns/instance/beat'));
    await waitFor(() => beats().length >= 1, { timeout: 10_000, message: 'a v1 beat' });
    const beat = new URL(beats()[0]!.url, 'http://x').searchParams;
    expect(beat.get('serviceName')).toBe('DEFAULT_GROUP@@ledger');
    expect(JSON.parse(beat.get('beat')!)).toMatchObject({
      ip: '127.0.0.1',
      port: 9004,
      metadata: { v: '1' },
    });
    nacos.restart();
    await waitFor(() => (nacos.store.get('public|DEFAULT_GROUP|ledger')?.length ?? 0) === 1, {
      timeout: 10_000,
      message: 'the instance registered again after a 20404 beat answer',
    });
    expect(nacos.store.get('public|DEFAULT_GROUP|ledger')?.[0]?.metadata).toEqual({ v: '1' });
  });

  it('detects a Nacos 2 server (no v3 API) and logs in at its v1 path', async () => {
    nacos.mode = 'v2';
    nacos.authEnabled = true;
    const registry = open({ username: 'nacos', password: nacos.password });
    await expect(registry.getInstances('users')).resolves.toEqual([]);
    expect((registry as NacosRegistry).protocol).toBe('v1');
    expect(nacos.seen.map((r) => r.url.split('?')[0])).toEqual([
      '/nacos/v3/auth/user/login',
      '/nacos/v1/auth/login',
      '/nacos/v3/client/ns/instance/list',
      '/nacos/v1/ns/instance/list',
    ]);
  });
});
