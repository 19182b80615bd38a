import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type BufferedResponse,
  ConfigError,
  filterInstances,
  HttpStatusError,
  InvalidRequestError,
  ServiceManager,
  TimeoutError,
  type Transport,
  type TransportRequest,
  undiciTransport,
} from '../src/index.js';
import { startServer, type TestServer } from './support/http-server.js';
import { RecordingLogger } from './support/recording-logger.js';

/*
 * What the manager builds from service-caller's resilience keys: retries, per-try timeouts,
 * outlier ejection, zone affinity, consistent hashing, throw-http-errors, its filters option,
 * and snapshot().
 */

const servers: TestServer[] = [];
const dirs: string[] = [];
const managers: ServiceManager[] = [];

afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** `count` servers; server `i` answers with `answer(i, res)`, the default `{ "i": i }`. */
async function upstreams(
  count: number,
  answer: (i: number, res: import('node:http').ServerResponse, url: string) => void = (i, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ i }));
  },
): Promise<TestServer[]> {
  const started: TestServer[] = [];
  for (let i = 0; i < count; i++) started.push(await startServer((req, res) => answer(i, res, req.url)));
  servers.push(...started);
  return started;
}

async function manager(yaml: string): Promise<ServiceManager> {
  const dir = await mkdtemp(join(tmpdir(), 'sc-resilience-'));
  dirs.push(dir);
  await writeFile(join(dir, 'application.yaml'), yaml);
  const created = await ServiceManager.create({ configDir: dir, logger: new RecordingLogger() });
  managers.push(created);
  return created;
}

const staticServices = (list: TestServer[], metadata: (i: number) => string = () => '') =>
  [
    'app-registry:',
    '  static:',
    '    services:',
    '      svc:',
    ...list.map((s, i) => `        - { host: 127.0.0.1, port: ${s.port}${metadata(i)} }`),
  ].join('\n');

describe('service-caller resilience keys, through ServiceManager', () => {
  it('retries by default, and not with retry.attempts 1', async () => {
    const [broken, good] = await upstreams(2, (i, res) => {
      res.writeHead(i === 0 ? 503 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ i }));
    });
    const retried = await manager(`${staticServices([broken!, good!])}\n`);
    for (let k = 0; k < 4; k++) expect(await retried.get('svc', '/x')).toEqual({ i: 1 });
    const once = await manager(
      `service-caller:\n  retry: { attempts: 1 }\n  outlier-ejection: { enabled: false }\n${staticServices([broken!, good!])}\n`,
    );
    const outcomes = await Promise.allSettled([once.get('svc', '/y'), once.get('svc', '/y')]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
  });

  it('turns timeout (seconds) into the total bound of every call, body included, retries included', async () => {
    const [trickle] = await upstreams(1, (_i, res) => {
      // Headers at once, then a byte every 50 ms: read-timeout (6 s) never fires, only the total.
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write('x'), 50);
      res.on('close', () => clearInterval(timer));
    });
    const m = await manager(`service-caller:\n  timeout: 0.3\n${staticServices([trickle!])}\n`);
    const error = await m.get('svc', '/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ phase: 'total', timeoutMs: 300 });
    // A call's own timeout still wins over the configured one.
    const own = await m.get('svc', '/x', { timeout: 100 }).catch((e: unknown) => e);
    expect(own).toMatchObject({ phase: 'total', timeoutMs: 100 });
    expect(m.settings.serviceCaller.timeout).toBe(0.3);
  });

  it('bounds every call by 30 s when timeout is not set: the transport gets a deadline signal', async () => {
    const [good] = await upstreams(1);
    const inner = undiciTransport();
    const signals: Array<AbortSignal | undefined> = [];
    const recording: Transport = {
      name: 'recording',
      send: (request: TransportRequest) => {
        signals.push(request.signal);
        return inner.send(request);
      },
      sendBuffered: (request: TransportRequest): Promise<BufferedResponse> => {
        signals.push(request.signal);
        return inner.sendBuffered!(request);
      },
      close: () => inner.close(),
    };
    try {
      const services = { svc: [{ host: '127.0.0.1', port: good!.port }] };
      await using m = await ServiceManager.create({
        config: { appRegistry: { static: { services } } },
        transport: recording,
      });
      expect(m.settings.serviceCaller.timeout).toBe(30);
      expect(await m.get('svc', '/x')).toEqual({ i: 0 });
      await using unbounded = await ServiceManager.create({
        config: { serviceCaller: { timeout: 2_147_483 }, appRegistry: { static: { services } } },
        transport: recording,
      });
      expect(await unbounded.get('svc', '/x')).toEqual({ i: 0 });
      // Without a deadline and a caller's signal the engine passes none: a signal here is the deadline.
      expect(signals.map((signal) => signal instanceof AbortSignal)).toEqual([true, true]);
    } finally {
      await inner.close();
    }
  });

  it('warns once about an unknown call option, and refuses it with strict-options', async () => {
    const [good] = await upstreams(1);
    const dir = await mkdtemp(join(tmpdir(), 'sc-resilience-'));
    dirs.push(dir);
    await writeFile(join(dir, 'application.yaml'), `${staticServices([good!])}\n`);
    const logger = new RecordingLogger();
    const lenient = await ServiceManager.create({ configDir: dir, logger });
    managers.push(lenient);
    await lenient.get('svc', '/x', { params: { a: 1 } } as never);
    await lenient.get('svc', '/x', { params: { a: 1 } } as never);
    expect(
      logger.lines.filter((l) => l.level === 'warn' && l.message.includes("'params'")).map((l) => l.message),
    ).toEqual([
      "unknown call option 'params' (GET to service 'svc') is ignored; did you mean 'query'? (warned once per key)",
    ]);
    const strict = await manager(`service-caller:\n  strict-options: true\n${staticServices([good!])}\n`);
    const error = await strict.post('svc', '/x', { data: { a: 1 } } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message).toContain('options.data is not a call option');
  });

  it('turns per-try-timeout (seconds) into the bound of each attempt', async () => {
    const [stall, good] = await upstreams(2, (i, res) => {
      if (i === 1) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"i":1}');
      }
    });
    const m = await manager(`service-caller:\n  per-try-timeout: 0.1\n${staticServices([stall!, good!])}\n`);
    expect(await m.get('svc', '/x')).toEqual({ i: 1 });
    expect(await m.get('svc', '/x')).toEqual({ i: 1 });
    const shown = m.snapshot().services[0]!;
    expect(shown.retries).toBeGreaterThanOrEqual(1);
    expect(shown.instances[0]!.lastFailure?.kind).toBe('timeout');
  });

  it('keeps calls in the zone of zone-affinity, and names the key when no zone is known', async () => {
    const list = await upstreams(4);
    const zones = (i: number) => `, metadata: { zone: ${i < 2 ? 'a' : 'b'} }`;
    const explicit = await manager(
      `service-caller:\n  zone-affinity: { zone: b }\n${staticServices(list, zones)}\n`,
    );
    for (let k = 0; k < 8; k++)
      expect(((await explicit.get('svc', '/x')) as { i: number }).i).toBeGreaterThanOrEqual(2);
    const dir = await mkdtemp(join(tmpdir(), 'sc-resilience-'));
    dirs.push(dir);
    await writeFile(join(dir, 'application.yaml'), 'service-caller:\n  zone-affinity: {}\n');
    const error = (await ServiceManager.create({ configDir: dir }).catch((e: unknown) => e)) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(
      `${join(dir, 'application.yaml')}: service-caller.zone-affinity.zone: expected this service's zone, or a 'zone' in this service's own metadata (app-registry.nacos.metadata or app-registry.consul.meta), found nothing`,
    );
  });

  it('sends one key to one instance with lb-type consistent_hash and its header', async () => {
    const list = await upstreams(5);
    const m = await manager(
      `service-caller:\n  lb-type: consistent_hash\n  consistent-hash: { header: x-user }\n${staticServices(list)}\n`,
    );
    for (const user of ['ann', 'bob', 'cy']) {
      const first = await m.get('svc', '/x', { headers: { 'x-user': user } });
      for (let k = 0; k < 4; k++)
        expect(await m.get('svc', '/x', { headers: { 'X-User': user } })).toEqual(first);
    }
  });

  it('resolves non-2xx answers with their body with throw-http-errors false, unless a call says otherwise', async () => {
    const list = await upstreams(1, (_i, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":"no such order"}');
    });
    const m = await manager(`service-caller:\n  throw-http-errors: false\n${staticServices(list)}\n`);
    expect(await m.get('svc', '/orders/7')).toEqual({ error: 'no such order' });
    expect(
      await m.get('svc', '/orders/7', { throwHttpErrors: true }).catch((e: unknown) => e),
    ).toBeInstanceOf(HttpStatusError);
  });

  it('ejects a dead instance (outlier-ejection on by default) and shows it in snapshot()', async () => {
    const [good] = await upstreams(1);
    const probe = await upstreams(1);
    const deadPort = probe[0]!.port;
    await probe[0]!.close();
    servers.splice(servers.indexOf(probe[0]!), 1);
    const m = await manager(
      [
        'app-registry:',
        '  static:',
        '    services:',
        '      svc:',
        `        - { host: 127.0.0.1, port: ${deadPort} }`,
        `        - { host: 127.0.0.1, port: ${good!.port} }`,
      ].join('\n'),
    );
    for (let k = 0; k < 6; k++) expect(await m.get('svc', '/x')).toEqual({ i: 0 });
    const shown = m.snapshot().services[0]!;
    expect(shown.ejected).toBe(1);
    expect(shown.instances.find((i) => i.instance.port === deadPort)?.ejection.ejected).toBe(true);
  });

  it('runs the filters option after the configured ones', async () => {
    const list = await upstreams(3);
    const dir = await mkdtemp(join(tmpdir(), 'sc-resilience-'));
    dirs.push(dir);
    await writeFile(join(dir, 'application.yaml'), `${staticServices(list)}\n`);
    const m = await ServiceManager.create({
      configDir: dir,
      filters: [filterInstances('not-the-first', (instance) => instance.port !== list[0]!.port)],
    });
    managers.push(m);
    for (let k = 0; k < 6; k++) expect(((await m.get('svc', '/x')) as { i: number }).i).not.toBe(0);
  });

  it('names the camelCase key for a config object', async () => {
    const error = (await ServiceManager.create({
      config: { serviceCaller: { zoneAffinity: {} } },
    }).catch((e: unknown) => e)) as ConfigError;
    expect(error.keyPath).toBe('serviceCaller.zoneAffinity.zone');
    const bad = (await ServiceManager.create({
      config: { serviceCaller: { retry: { attempts: 0 } } },
    }).catch((e: unknown) => e)) as ConfigError;
    expect([bad.file, bad.keyPath]).toEqual(['<config object>', 'serviceCaller.retry.attempts']);
  });
});

describe('resilienceOptions', () => {
  it("takes the zone from this service's own metadata when zone-affinity names none", async () => {
    const { parseConfig } = await import('@service-caller/config-yaml');
    const { resilienceOptions } = await import('../src/resilience-settings.js');
    const config = parseConfig({
      serviceCaller: { zoneAffinity: { metadataKey: 'az' } },
      appRegistry: { nacos: { serverAddr: '127.0.0.1:8848', metadata: { az: 'east' } } },
    });
    const [filter] = resilienceOptions(config, { file: '<config object>', style: 'camel' }).filters!;
    const instance = (id: string, az: string) => ({
      id,
      serviceName: 'svc',
      host: id,
      port: 80,
      weight: 1,
      healthy: true,
      metadata: { az },
    });
    const list = [instance('w', 'west'), instance('e', 'east')];
    const ctx = { serviceName: 'svc', attempt: 1, triedInstances: [] };
    expect(filter!.filter(list, ctx).map((i) => i.id)).toEqual(['e']);
  });
});
