import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, type RequestContext, type ServiceInterceptor, ServiceManager } from '../src/index.js';
import { echoHandler, startServer, staticConfig, type TestServer } from './support/http-server.js';

/** An interceptor that writes each stage it runs into a shared journal. */
function journaling(name: string, journal: string[], order?: number): ServiceInterceptor {
  return {
    name,
    ...(order === undefined ? {} : { order }),
    beforeRequest: (ctx: RequestContext) => {
      journal.push(`${name}.before ${ctx.path}`);
    },
    afterResponse: (ctx: RequestContext) => {
      journal.push(`${name}.after ${ctx.path}`);
    },
  };
}

describe('interceptor management through the manager', () => {
  let server: TestServer;
  let release: (() => void) | undefined;
  let arrived: (() => void) | undefined;

  beforeAll(async () => {
    server = await startServer(async (req, res) => {
      if (req.url.startsWith('/hold')) {
        arrived?.();
        await new Promise<void>((resolve) => {
          release = resolve;
        });
      }
      echoHandler(req, res);
    });
  });
  afterAll(() => server.close());

  it('starts with the given interceptors in run order and runs them around calls', async () => {
    const journal: string[] = [];
    await using manager = await ServiceManager.create({
      config: staticConfig({ svc: [server] }),
      interceptors: [
        journaling('late', journal, 10),
        journaling('early', journal, -1),
        journaling('mid', journal),
      ],
    });
    expect(manager.interceptors.map((i) => i.name)).toEqual(['early', 'mid', 'late']);
    await manager.get('svc', '/a');
    expect(journal).toEqual([
      'early.before /a',
      'mid.before /a',
      'late.before /a',
      'late.after /a',
      'mid.after /a',
      'early.after /a',
    ]);
  });

  it('adds, ignores a repeated name, removes and clears', async () => {
    const journal: string[] = [];
    await using manager = await ServiceManager.create({ config: staticConfig({ svc: [server] }) });
    expect(manager.interceptors).toEqual([]);
    const first = journaling('x', journal);
    expect(manager.addInterceptor(first)).toBe(true);
    expect(manager.addInterceptor(journaling('x', journal, -5))).toBe(false);
    expect(manager.interceptors).toEqual([first]);
    expect(manager.addInterceptor(journaling('y', journal, 1))).toBe(true);
    expect(manager.interceptors.map((i) => i.name)).toEqual(['x', 'y']);
    expect(manager.removeInterceptor('x')).toBe(true);
    expect(manager.removeInterceptor('x')).toBe(false);
    expect(manager.interceptors.map((i) => i.name)).toEqual(['y']);
    manager.clearInterceptors();
    expect(manager.interceptors).toEqual([]);
    await manager.get('svc', '/cleared');
    expect(journal).toEqual([]);
  });

  it('hands out a read-only list', async () => {
    await using manager = await ServiceManager.create({
      interceptors: [{ name: 'only' }],
    });
    const list = manager.interceptors as ServiceInterceptor[];
    expect(() => list.push({ name: 'sneaked' })).toThrow(TypeError);
    expect(manager.interceptors.map((i) => i.name)).toEqual(['only']);
    expect(Object.getOwnPropertyDescriptor(ServiceManager.prototype, 'interceptors')?.set).toBeUndefined();
  });

  it('a call in flight keeps the list it started with while interceptors change', async () => {
    const journal: string[] = [];
    await using manager = await ServiceManager.create({
      config: staticConfig({ svc: [server] }),
      interceptors: [journaling('old', journal)],
    });
    const reached = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const inFlight = manager.get('svc', '/hold');
    await reached;
    manager.clearInterceptors();
    manager.addInterceptor(journaling('new', journal));
    release?.();
    await inFlight;
    await manager.get('svc', '/after');
    expect(journal).toEqual(['old.before /hold', 'old.after /hold', 'new.before /after', 'new.after /after']);
  });

  it('refuses a malformed interceptor with a ConfigError', async () => {
    await using manager = await ServiceManager.create();
    expect(() => manager.addInterceptor({ name: '' })).toThrow(ConfigError);
    await expect(
      ServiceManager.create({ interceptors: [{ name: 'bad', order: Number.NaN }] }),
    ).rejects.toBeInstanceOf(ConfigError);
  });
});
