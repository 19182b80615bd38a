import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { AclSettings } from './acl.js';
import { formatGoDuration, parseGoDuration } from './duration.js';
import { type ConsulDouble, type ConsulDoubleOptions, startConsulDouble } from './index.js';

/**
 * The double's own tests: each asserts a behaviour Consul's HTTP API documentation states, so the
 * adapter's tests run against documented behaviour rather than against the adapter's assumptions.
 */

let double: ConsulDouble | undefined;
const servers: Server[] = [];

afterEach(async () => {
  await double?.close();
  double = undefined;
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

async function start(options: ConsulDoubleOptions = {}): Promise<ConsulDouble> {
  double = await startConsulDouble(options);
  return double;
}

function put(path: string, body?: unknown, headers: Record<string, string> = {}) {
  return fetch(`${double!.url}${path}`, {
    method: 'PUT',
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function health(query = '', headers: Record<string, string> = {}, name = 'web') {
  const res = await fetch(`${double!.url}/v1/health/service/${name}${query}`, { headers });
  const text = await res.text();
  const index = res.headers.get('x-consul-index');
  return {
    res,
    status: res.status,
    index: index === null ? undefined : Number(index),
    body: res.headers.get('content-type') === 'application/json' ? (JSON.parse(text) as HealthRow[]) : text,
  };
}

type HealthRow = {
  Node: Record<string, unknown>;
  Service: Record<string, unknown>;
  Checks: Array<Record<string, unknown>>;
};

/**
 * Follows the service with blocking queries until `predicate` holds, at most `rounds` times:
 * the double's blocking semantics are the event the test waits on.
 */
async function until(
  predicate: (rows: HealthRow[]) => boolean,
  name = 'web',
  rounds = 20,
): Promise<HealthRow[]> {
  let index = 0;
  for (let i = 0; i < rounds; i++) {
    const { body, index: next } = await health(index ? `?index=${index}&wait=2s` : '', {}, name);
    const rows = body as HealthRow[];
    if (predicate(rows)) return rows;
    index = next!;
  }
  throw new Error('condition not reached within the bounded number of blocking queries');
}

const ttlService = (ttl = '10s', extra: Record<string, unknown> = {}) => ({
  ID: 'web-1',
  Name: 'web',
  Address: '127.0.0.1',
  Port: 8080,
  Tags: ['primary'],
  Meta: { version: '1' },
  Check: { TTL: ttl, ...extra },
});

describe('Go durations', () => {
  it('parses and formats like time.ParseDuration / Duration.String', () => {
    expect(parseGoDuration('10s')).toBe(10_000);
    expect(parseGoDuration('1m30s')).toBe(90_000);
    expect(parseGoDuration('300ms')).toBe(300);
    expect(parseGoDuration('1.5h')).toBe(5_400_000);
    expect(parseGoDuration('0')).toBe(0);
    expect(parseGoDuration('10')).toBeUndefined();
    expect(parseGoDuration('s')).toBeUndefined();
    expect(parseGoDuration('')).toBeUndefined();
    expect(formatGoDuration(60_000)).toBe('1m0s');
    expect(formatGoDuration(1500)).toBe('1.5s');
    expect(formatGoDuration(300)).toBe('300ms');
    expect(formatGoDuration(3_600_000)).toBe('1h0m0s');
  });
});

describe('agent service register / deregister', () => {
  it('registers a service whose TTL check starts critical, so ?passing leaves it out', async () => {
    await start();
    expect((await put('/v1/agent/service/register', ttlService())).status).toBe(200);
    const all = await health();
    expect(all.status).toBe(200);
    expect(all.res.headers.get('content-type')).toBe('application/json');
    expect(all.index).toBeGreaterThan(0);
    const rows = all.body as HealthRow[];
    expect(rows).toHaveLength(1);
    expect(rows[0]!.Service).toMatchObject({
      ID: 'web-1',
      Service: 'web',
      Address: '127.0.0.1',
      Port: 8080,
      Tags: ['primary'],
      Meta: { version: '1' },
      Weights: { Passing: 1, Warning: 1 },
    });
    expect(rows[0]!.Node).toMatchObject({ Node: 'consul-double', Address: '127.0.0.1', Datacenter: 'dc1' });
    expect(rows[0]!.Checks.map((c) => [c.CheckID, c.Status])).toEqual([
      ['service:web-1', 'critical'],
      ['serfHealth', 'passing'],
    ]);
    expect(rows[0]!.Checks[0]).toMatchObject({
      Name: "Service 'web' check",
      ServiceID: 'web-1',
      Type: 'ttl',
    });
    expect((await health('?passing=true')).body).toEqual([]);
  });

  it('takes a TTL pass, then lists the service as passing', async () => {
    await start();
    await put('/v1/agent/service/register', ttlService());
    expect((await put('/v1/agent/check/pass/service:web-1?note=ok')).status).toBe(200);
    const rows = (await health('?passing')).body as HealthRow[];
    expect(rows).toHaveLength(1);
    expect(rows[0]!.Checks[0]).toMatchObject({ Status: 'passing', Output: 'ok' });
  });

  it('honours Status, Weights, ID defaulting to Name, and snake_case keys', async () => {
    await start();
    await put('/v1/agent/service/register', {
      name: 'web',
      port: 1,
      weights: { passing: 7, warning: 2 },
      check: { ttl: '5s', status: 'passing', deregister_critical_service_after: '90m' },
    });
    const rows = (await health('?passing=1')).body as HealthRow[];
    expect(rows[0]!.Service).toMatchObject({ ID: 'web', Weights: { Passing: 7, Warning: 2 }, Address: '' });
    expect(rows[0]!.Checks[0]!.CheckID).toBe('service:web');
  });

  it('rejects what the agent rejects, with 400 and a text body', async () => {
    await start();
    const cases: Array<[unknown, RegExp]> = [
      [{ Port: 1 }, /^Missing service name$/],
      [{ Name: 'web', Address: '0.0.0.0' }, /^Invalid service address$/],
      [{ Name: 'web', Check: { HTTP: 'http://127.0.0.1/' } }, /Must provide TTL/],
      [{ Name: 'web', Check: { TTL: 'soon' } }, /invalid duration/],
      [{ Name: 'web', Weights: { Passing: 0, Warning: 1 } }, /Passing must be greater than 0/],
      [{ Name: 'web', Meta: { 'consul-x': 'y' } }, /reserved/],
      [{ Name: 'web', Check: { TTL: '1s', Status: 'fine' } }, /Status for checks/],
    ];
    for (const [body, message] of cases) {
      const res = await put('/v1/agent/service/register', body);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(await res.text()).toMatch(message);
    }
    const bad = await fetch(`${double!.url}/v1/agent/service/register`, { method: 'PUT', body: '{' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/^Request decode failed/);
    expect((await fetch(`${double!.url}/v1/agent/service/register`)).status).toBe(405);
  });

  it('deregisters a service with its checks, and answers 404 for an unknown id', async () => {
    await start();
    await put('/v1/agent/service/register', ttlService());
    expect((await put('/v1/agent/service/deregister/web-1')).status).toBe(200);
    expect((await health()).body).toEqual([]);
    expect(double!.state.allChecks()).toEqual([]);
    const unknown = await put('/v1/agent/service/deregister/web-1');
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toMatch(/^Unknown service ID "web-1"/);
  });

  it('keeps a re-registered check status, and drops missing checks with replace-existing-checks', async () => {
    await start();
    await put('/v1/agent/service/register', {
      ...ttlService(),
      Check: undefined,
      Checks: [{ TTL: '10s' }, { TTL: '10s' }],
    });
    expect(double!.state.allChecks().map((c) => c.definition.checkId)).toEqual([
      'service:web-1:1',
      'service:web-1:2',
    ]);
    await put('/v1/agent/check/pass/service:web-1:1');
    await put('/v1/agent/service/register', {
      ...ttlService(),
      Check: { CheckID: 'service:web-1:1', TTL: '10s' },
    });
    expect(double!.state.allChecks()).toHaveLength(2);
    await put('/v1/agent/service/register?replace-existing-checks=true', {
      ...ttlService(),
      Check: { CheckID: 'service:web-1:1', TTL: '10s' },
    });
    const checks = double!.state.allChecks();
    expect(checks.map((c) => [c.definition.checkId, c.status])).toEqual([['service:web-1:1', 'passing']]);
  });
});

describe('agent check TTL updates', () => {
  it('pass / warn / fail / update set the status; unknown ids are 404; non-TTL checks 500', async () => {
    await start();
    await put('/v1/agent/service/register', ttlService());
    const statusOf = () => double!.state.allChecks()[0]!.status;
    await put('/v1/agent/check/warn/service:web-1');
    expect(statusOf()).toBe('warning');
    await put('/v1/agent/check/fail/service:web-1');
    expect(statusOf()).toBe('critical');
    expect(
      (await put('/v1/agent/check/update/service:web-1', { Status: 'passing', Output: 'fine' })).status,
    ).toBe(200);
    expect(statusOf()).toBe('passing');
    const invalid = await put('/v1/agent/check/update/service:web-1', { Status: 'good' });
    expect(invalid.status).toBe(400);
    expect(await invalid.text()).toBe("Invalid check status: 'good'");
    const unknown = await put('/v1/agent/check/pass/nope');
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toMatch(/^Unknown check ID "nope"/);

    const upstream = await httpServer(() => 200);
    await put('/v1/agent/service/register', {
      Name: 'api',
      Check: { HTTP: `${upstream}/health`, Interval: '1h' },
    });
    const http = await put('/v1/agent/check/pass/service:api');
    expect(http.status).toBe(500);
    expect(await http.text()).toBe('CheckID "service:api" does not have associated TTL');
  });

  it('turns a check critical with "TTL expired" when no update arrives within the TTL', async () => {
    await start();
    await put('/v1/agent/service/register', ttlService('200ms'));
    await put('/v1/agent/check/pass/service:web-1');
    const rows = await until((r) => r[0]?.Checks[0]?.Status === 'critical');
    expect(rows[0]!.Checks[0]!.Output).toBe('TTL expired');
  });

  it('deregisters a service critical for longer than DeregisterCriticalServiceAfter', async () => {
    await start({ minDeregisterCriticalAfterMs: 0, reapIntervalMs: 20 });
    await put('/v1/agent/service/register', ttlService('100ms', { DeregisterCriticalServiceAfter: '100ms' }));
    await put('/v1/agent/check/pass/service:web-1');
    await until((r) => r.length === 0);
    expect(double!.state.allServices()).toEqual([]);
  });

  it('keeps the documented one-minute floor on DeregisterCriticalServiceAfter by default', async () => {
    await start({ reapIntervalMs: 20 });
    await put('/v1/agent/service/register', ttlService('50ms', { DeregisterCriticalServiceAfter: '1ms' }));
    await until((r) => r[0]?.Checks[0]?.Output === 'TTL expired');
    // Several reaper rounds pass during the next blocking query, which times out with no change.
    const { index } = await health();
    const after = await health(`?index=${index}&wait=200ms`);
    expect(after.index).toBe(index);
    expect(after.body as HealthRow[]).toHaveLength(1);
  });

  it('runs HTTP checks: 2xx passing, 429 warning, anything else critical', async () => {
    await start();
    let code = 200;
    const upstream = await httpServer(() => code);
    await put('/v1/agent/service/register', {
      Name: 'api',
      Port: 1,
      Check: { HTTP: `${upstream}/health`, Interval: '30ms' },
    });
    const follow = (want: string) => until((r) => r[0]?.Checks[0]?.Status === want, 'api', 40);
    await follow('passing');
    code = 429;
    await follow('warning');
    code = 503;
    const rows = await follow('critical');
    expect(String(rows[0]!.Checks[0]!.Output)).toMatch(/: 503 /);
  });
});

describe('health service: blocking queries', () => {
  it('returns at once without index, and blocks with it until a change raises X-Consul-Index', async () => {
    await start();
    await put('/v1/agent/service/register', ttlService());
    const first = await health();
    let settled = false;
    const blocked = health(`?index=${first.index}&wait=30s`).then((r) => {
      settled = true;
      return r;
    });
    // The blocked query is still open while nothing changes: a non-blocking query answers first.
    await health();
    expect(settled).toBe(false);
    await put('/v1/agent/check/pass/service:web-1');
    const next = await blocked;
    expect(next.index).toBeGreaterThan(first.index!);
    expect((next.body as HealthRow[])[0]!.Checks[0]!.Status).toBe('passing');
  });

  it('answers with the same index when wait elapses without a change', async () => {
    await start();
    await put('/v1/agent/service/register', ttlService());
    const first = await health();
    const next = await health(`?index=${first.index}&wait=100ms`);
    expect(next.status).toBe(200);
    expect(next.index).toBe(first.index);
  });

  it('does not raise the index for a TTL pass that changes nothing', async () => {
    await start();
    await put('/v1/agent/service/register', ttlService());
    await put('/v1/agent/check/pass/service:web-1');
    const before = (await health()).index;
    await put('/v1/agent/check/pass/service:web-1');
    expect((await health()).index).toBe(before);
  });

  it('answers an unknown service with [] and an index >= 1, and wakes when it appears', async () => {
    await start();
    const empty = await health('', {}, 'ghost');
    expect(empty.body).toEqual([]);
    expect(empty.index).toBeGreaterThanOrEqual(1);
    const blocked = health(`?index=${empty.index}&wait=30s`, {}, 'ghost');
    await put('/v1/agent/service/register', { Name: 'ghost', Port: 1 });
    const next = await blocked;
    expect((next.body as HealthRow[]).map((r) => r.Service.ID)).toEqual(['ghost']);
  });

  it('filters by tag (all given tags) and rejects bad index, wait and passing values', async () => {
    await start();
    await put('/v1/agent/service/register', { Name: 'web', ID: 'a', Port: 1, Tags: ['x', 'y'] });
    await put('/v1/agent/service/register', { Name: 'web', ID: 'b', Port: 2, Tags: ['x'] });
    const ids = async (q: string) => ((await health(q)).body as HealthRow[]).map((r) => r.Service.ID);
    expect(await ids('?tag=x')).toEqual(['a', 'b']);
    expect(await ids('?tag=x&tag=y')).toEqual(['a']);
    expect((await health('?index=abc')).body).toBe('Invalid index');
    expect((await health('?index=1&wait=forever')).body).toBe('Invalid wait time');
    expect((await health('?passing=maybe')).status).toBe(400);
  });

  it('answers 500 "No path to datacenter" for another datacenter', async () => {
    await start({ datacenter: 'east' });
    const other = await health('?dc=west');
    expect(other.status).toBe(500);
    expect(other.body).toBe('No path to datacenter');
    expect((await health('?dc=east')).status).toBe(200);
  });

  it('keeps namespaces and partitions apart (ns param, X-Consul-Namespace header, body field)', async () => {
    await start();
    await put('/v1/agent/service/register?ns=team-a', { Name: 'web', ID: 'a', Port: 1 });
    await put('/v1/agent/service/register', { Name: 'web', ID: 'b', Port: 2, Namespace: 'team-b' });
    await put('/v1/agent/service/register?partition=p1', { Name: 'web', ID: 'c', Port: 3 });
    const ids = async (q: string, h: Record<string, string> = {}) =>
      ((await health(q, h)).body as HealthRow[]).map((r) => r.Service.ID);
    expect(await ids('?ns=team-a')).toEqual(['a']);
    expect(await ids('', { 'X-Consul-Namespace': 'team-b' })).toEqual(['b']);
    expect(await ids('?partition=p1')).toEqual(['c']);
    expect(await ids('')).toEqual([]);
  });
});

describe('ACLs', () => {
  const acl: AclSettings = {
    defaultPolicy: 'deny',
    tokens: [
      { secretId: 'writer-secret', accessorId: 'acc-writer', servicePrefixes: { '': 'write' } },
      { secretId: 'reader-secret', accessorId: 'acc-reader', servicePrefixes: { web: 'read' } },
    ],
  };

  it('answers 403 "ACL not found" for an unknown token, on reads and writes', async () => {
    await start({ acl });
    const read = await health('', { 'X-Consul-Token': 'wrong' });
    expect(read.status).toBe(403);
    expect(read.body).toBe('ACL not found');
    const write = await put('/v1/agent/service/register', ttlService(), { 'X-Consul-Token': 'wrong' });
    expect(write.status).toBe(403);
    expect(read.res.headers.get('x-consul-default-acl-policy')).toBe('deny');
  });

  it('answers 403 "Permission denied" naming the accessor, never the secret', async () => {
    await start({ acl });
    const res = await put('/v1/agent/service/register', ttlService(), { 'X-Consul-Token': 'reader-secret' });
    expect(res.status).toBe(403);
    const text = await res.text();
    expect(text).toBe(
      `Permission denied: token with AccessorID 'acc-reader' lacks permission 'service:write' on "web"`,
    );
    const anonymous = await put('/v1/agent/service/register', ttlService());
    expect(await anonymous.text()).toMatch(/^Permission denied: anonymous token lacks permission/);
  });

  it('accepts the token in X-Consul-Token, Authorization: Bearer, or ?token=', async () => {
    await start({ acl });
    expect(
      (await put('/v1/agent/service/register', ttlService(), { 'X-Consul-Token': 'writer-secret' })).status,
    ).toBe(200);
    const bearer = await health('', { Authorization: 'Bearer reader-secret' });
    expect((bearer.body as HealthRow[]).length).toBe(1);
    expect(((await health('?token=reader-secret')).body as HealthRow[]).length).toBe(1);
  });

  it('filters what a token may not read, with X-Consul-Results-Filtered-By-ACLs', async () => {
    await start({ acl });
    await put('/v1/agent/service/register', { Name: 'db', Port: 1 }, { 'X-Consul-Token': 'writer-secret' });
    const res = await health('', { 'X-Consul-Token': 'reader-secret' }, 'db');
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
    expect(res.res.headers.get('x-consul-results-filtered-by-acls')).toBe('true');
    expect(res.index).toBeGreaterThan(0);
  });
});

describe('lifecycle', () => {
  it('refuses connections while stopped and serves again on the same port', async () => {
    await start();
    const port = double!.port;
    await double!.stop();
    await expect(fetch(`${double!.url}/v1/health/service/web`)).rejects.toThrow();
    await double!.start();
    expect(double!.port).toBe(port);
    expect((await health()).status).toBe(200);
  });

  it('releases blocked queries when stopped', async () => {
    await start();
    const first = await health();
    const blocked = health(`?index=${first.index}&wait=60s`).then(
      () => 'answered',
      () => 'dropped',
    );
    await until(() => true);
    await double!.stop();
    expect(await blocked).toBe('dropped');
  });

  it('forgets services on restartEmpty, as an agent without its data dir', async () => {
    await start();
    await put('/v1/agent/service/register', ttlService());
    await double!.restartEmpty();
    expect((await health()).body).toEqual([]);
    expect((await put('/v1/agent/check/pass/service:web-1')).status).toBe(404);
  });
});

async function httpServer(status: () => number): Promise<string> {
  const server = createServer((_req, res) => {
    res.writeHead(status(), { 'content-type': 'text/plain' }).end('health');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
