import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type BufferedResponse,
  ConfigError,
  type LoadBalancer,
  ResponseTooLargeError,
  registerLoadBalancer,
  ServiceManager,
  type Transport,
  type TransportRequest,
  undiciTransport,
  unregisterLoadBalancer,
} from '../src/index.js';
import { startServer, type TestServer } from './support/http-server.js';

/*
 * What the manager takes from the config for the engine and the transport this round: balancers
 * registered by name (`lb-type`, `loadBalancer`), `max-response-size`, and an injected
 * transport's optional `sendBuffered` and `usesAbortHook`.
 */

let server: TestServer;
const dirs: string[] = [];

beforeAll(async () => {
  server = await startServer((req, res) => {
    // `/size/<n>`: a JSON string body of about n bytes.
    const size = Number(/^\/size\/(\d+)/.exec(req.url)?.[1] ?? 2);
    const body = JSON.stringify('x'.repeat(Math.max(0, size - 2)));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
    res.end(body);
  });
});

afterAll(async () => {
  await server.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

afterEach(() => {
  unregisterLoadBalancer('first_listed');
});

const services = () => ({ svc: [{ host: '127.0.0.1', port: server.port }] });

/** A balancer that always takes the first instance, counting its picks. */
function firstListed(): LoadBalancer & { picks: number } {
  const balancer = {
    name: 'first_listed',
    picks: 0,
    pick(instances: readonly { healthy: boolean }[]) {
      balancer.picks++;
      return { instance: instances[0] as never };
    },
  };
  return balancer;
}

async function configDir(yaml: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sc-engine-settings-'));
  dirs.push(dir);
  await writeFile(join(dir, 'application.yaml'), yaml);
  return dir;
}

describe('lb-type and loadBalancer name balancers that packages registered', () => {
  it('uses a registered balancer named by the config, and by the loadBalancer option', async () => {
    const made: ReturnType<typeof firstListed>[] = [];
    registerLoadBalancer('first_listed', () => {
      const balancer = firstListed();
      made.push(balancer);
      return balancer;
    });
    {
      await using manager = await ServiceManager.create({
        config: {
          serviceCaller: { lbType: 'first_listed' },
          appRegistry: { static: { services: services() } },
        },
      });
      await manager.get('svc', '/size/10');
    }
    {
      await using manager = await ServiceManager.create({
        config: { appRegistry: { static: { services: services() } } },
        loadBalancer: 'first_listed',
      });
      await manager.get('svc', '/size/10');
    }
    expect(made.map((b) => b.picks)).toEqual([1, 1]);
  });

  it('refuses an unknown name in a file with a ConfigError naming the file, the key and the nearest name', async () => {
    registerLoadBalancer('first_listed', firstListed);
    const dir = await configDir('service-caller:\n  lb-type: first_lsted\n');
    const error = (await ServiceManager.create({ configDir: dir }).catch((e: unknown) => e)) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.file).toBe(join(dir, 'application.yaml'));
    expect(error.keyPath).toBe('service-caller.lb-type');
    expect(error.message).toContain(
      "expected one of round_robin, random, weight_random, weight_round_robin, least_request, peak_ewma, consistent_hash, first_listed, found 'first_lsted' (did you mean 'first_listed'?)",
    );
  });

  it('names the camelCase key for a config object, and the option for loadBalancer', async () => {
    const inConfig = (await ServiceManager.create({
      config: { serviceCaller: { lbType: 'fastest_first' } },
    }).catch((e: unknown) => e)) as ConfigError;
    expect([inConfig.file, inConfig.keyPath, inConfig.found]).toEqual([
      '<config object>',
      'serviceCaller.lbType',
      "'fastest_first'",
    ]);
    const asOption = (await ServiceManager.create({ loadBalancer: 'randomm' }).catch(
      (e: unknown) => e,
    )) as ConfigError;
    expect(asOption.keyPath).toBe('loadBalancer');
    expect(asOption.message).toContain("(did you mean 'random'?)");
  });
});

describe('service-caller.max-response-size', () => {
  it('caps the bodies of parsed and raw calls on the transport the manager builds', async () => {
    const dir = await configDir(
      [
        'service-caller:',
        '  max-response-size: 1024',
        'app-registry:',
        '  static:',
        '    services:',
        '      svc:',
        `        - { host: 127.0.0.1, port: ${server.port} }`,
        '',
      ].join('\n'),
    );
    await using manager = await ServiceManager.create({ configDir: dir });
    expect(manager.settings.serviceCaller.maxResponseSize).toBe(1024);
    await expect(manager.get('svc', '/size/1024')).resolves.toHaveLength(1022);
    const parsed = await manager.get('svc', '/size/1025').catch((e: unknown) => e);
    expect(parsed).toBeInstanceOf(ResponseTooLargeError);
    expect(parsed).toMatchObject({ limit: 1024, contentLength: 1025 });
    const raw = await manager.rawGet('svc', '/size/4096').catch((e: unknown) => e);
    expect(raw).toBeInstanceOf(ResponseTooLargeError);
  });
});

describe('an injected transport', () => {
  it('keeps its sendBuffered: the manager sends parsed calls through it, raw calls through send', async () => {
    const inner = undiciTransport();
    const counts = { send: 0, buffered: 0 };
    const counting: Transport = {
      name: 'counting',
      send: (request: TransportRequest) => {
        counts.send++;
        return inner.send(request);
      },
      sendBuffered: (request: TransportRequest): Promise<BufferedResponse> => {
        counts.buffered++;
        return inner.sendBuffered!(request);
      },
      close: () => inner.close(),
    };
    try {
      await using manager = await ServiceManager.create({
        config: { appRegistry: { static: { services: services() } } },
        transport: counting,
      });
      await expect(manager.get('svc', '/size/6')).resolves.toBe('xxxx');
      const res = await manager.rawGet('svc', '/size/6');
      await expect(res.json()).resolves.toBe('xxxx');
      expect(counts).toEqual({ send: 1, buffered: 1 });
    } finally {
      await inner.close();
    }
  });

  it("keeps its usesAbortHook: the call's total timeout reaches it as abortHook, no signal made", async () => {
    const inner = undiciTransport();
    const seen: TransportRequest[] = [];
    const watching = (usesAbortHook: boolean): Transport => ({
      name: 'watching',
      usesAbortHook,
      send: (request: TransportRequest) => inner.send(request),
      sendBuffered: (request: TransportRequest): Promise<BufferedResponse> => {
        seen.push(request);
        return inner.sendBuffered!(request);
      },
      close: async () => {},
    });
    try {
      for (const usesAbortHook of [true, false]) {
        await using manager = await ServiceManager.create({
          config: { appRegistry: { static: { services: services() } } },
          transport: watching(usesAbortHook),
        });
        await expect(manager.get('svc', '/size/6')).resolves.toBe('xxxx');
      }
      // The default 30 s timeout: as the hook to the transport that takes it, as a signal otherwise.
      expect(seen.map((r) => [r.abortHook !== undefined, r.signal !== undefined])).toEqual([
        [true, false],
        [false, true],
      ]);
    } finally {
      await inner.close();
    }
  });
});
