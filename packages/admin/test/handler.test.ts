import type { EngineSnapshot } from '@service-caller/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminHandlerOptions, createAdminHandler, MASK, type ServicesView } from '../src/index.js';
import { type Fleet, SECRETS, startFleet } from './support/fleet.js';
import { serveOnLoopback } from './support/serve.js';

/*
 * The handler over a real ServiceManager (static registry) whose calls go to real upstream
 * servers on 127.0.0.1, one instance of three on a closed port; the handler itself in a real
 * node:http server on port 0.
 */

let fleet: Fleet;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  fleet = await startFleet();
});
afterAll(async () => {
  for (const close of closers) await close();
  await fleet.close();
});

async function serve(
  options?: AdminHandlerOptions,
  source: Parameters<typeof createAdminHandler>[0] = fleet.manager,
) {
  const served = await serveOnLoopback(createAdminHandler(source, options));
  closers.push(served.close);
  return served.base;
}

function expectNoSecret(text: string): void {
  for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
}

describe('GET /services', () => {
  it('lists only the services named in `services` before any call, as discovery sees them', async () => {
    const base = await serve({ services: ['quiet'] });
    const res = await fetch(`${base}/services`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const view = (await res.json()) as ServicesView;
    expect(view.services.map((s) => s.name)).toEqual(['quiet']);
    expect(view.services[0]).toMatchObject({
      called: false,
      calls: 0,
      instances: [{ host: '127.0.0.1', listed: true, attempts: 0 }],
    });
    expect(view.services[0]!.instances[0]!.recent.meanLatencyMs).toBeNull();
  });

  it('shows each instance with its figures after calls, the dead one ejected, secrets masked', async () => {
    await fleet.drive(9);
    const base = await serve({ services: ['quiet'] });
    const text = await (await fetch(`${base}/services`)).text();
    expectNoSecret(text);
    const view = JSON.parse(text) as ServicesView;
    expect(Date.parse(view.takenAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(view.inFlight).toBe(0);
    expect(view.services.map((s) => s.name)).toEqual(['greeter', 'quiet']);
    const greeter = view.services[0]!;
    expect(greeter).toMatchObject({ called: true, calls: 9, ejected: 1 });
    expect(greeter.instances).toHaveLength(3);
    const byPort = new Map(greeter.instances.map((i) => [i.port, i]));
    const dead = byPort.get(fleet.deadPort)!;
    expect(dead.ejection.ejected).toBe(true);
    expect(dead.ejection.ejections).toBe(1);
    expect(Date.parse(dead.ejection.until!)).toBeGreaterThan(Date.now());
    expect(dead.lastFailure?.kind).toBe('connect-failure');
    expect(dead.failures).toBeGreaterThanOrEqual(1);
    expect(dead.metadata).toEqual({ zone: 'b', link: `http://x/?access_token=${MASK}&v=1` });
    const [a, b] = fleet.ports.map((p) => byPort.get(p)!);
    expect(a!.weight).toBe(2);
    expect(a!.metadata.note).toBe('<img src=x onerror=alert(1)></script>');
    expect(b!.metadata).toEqual({ zone: 'b', 'auth-token': MASK });
    for (const live of [a!, b!]) {
      expect(live).toMatchObject({
        listed: true,
        healthy: true,
        inFlight: 0,
        failures: 0,
        lastFailure: null,
      });
      expect(live.ejection).toEqual({ ejected: false, until: null, ejections: 0 });
      expect(live.recent.errorRate).toBe(0);
      expect(live.recent.meanLatencyMs).toBeGreaterThan(0);
      expect(live.recent.maxLatencyMs).toBeGreaterThanOrEqual(live.recent.meanLatencyMs!);
    }
    // Every call succeeded: 9 on the live instances, plus the attempts that found the dead one.
    expect(a!.attempts + b!.attempts).toBe(9);
    expect(dead.recent.errorRate).toBe(1);
  });

  it('shows a failed registry lookup on the service, masked, and a failing snapshot as a 500', async () => {
    const source = {
      snapshot: () => fleet.manager.snapshot(),
      registry: {
        getInstances: async () => {
          throw new Error(`cannot reach http://nacos:${SECRETS.password}@10.0.0.1/?token=${SECRETS.token}`);
        },
      },
    };
    const base = await serve({ services: ['ghost'] }, source);
    const text = await (await fetch(`${base}/services`)).text();
    expectNoSecret(text);
    const ghost = (JSON.parse(text) as ServicesView).services.find((s) => s.name === 'ghost')!;
    expect(ghost.error).toBe(`discovery failed: Error: cannot reach http://${MASK}@10.0.0.1/?token=${MASK}`);
    expect(ghost.instances).toEqual([]);

    const broken = await serve(
      {},
      {
        snapshot: (): EngineSnapshot => {
          throw new Error('boom');
        },
      },
    );
    const res = await fetch(`${broken}/services`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: 'snapshot() failed' });
    expect((await fetch(`${broken}/`)).status).toBe(500);
  });
});

describe('GET /config', () => {
  it("is the source's settings with every secret masked", async () => {
    const base = await serve();
    const text = await (await fetch(`${base}/config`)).text();
    expectNoSecret(text);
    const config = JSON.parse(text) as {
      appRegistry: { nacos: Record<string, unknown> };
      serviceCaller: Record<string, unknown>;
    };
    expect(config.appRegistry.nacos).toMatchObject({
      username: 'nacos',
      password: MASK,
      serverAddr: '127.0.0.1:1',
    });
    expect(config.serviceCaller.lbType).toBe('round_robin');
  });

  it('prefers the config option, and is a 404 without either', async () => {
    const given = await serve({ config: { db: { url: 'postgres://app:pw@db/x', 'max-pool': 4 } } });
    expect(await (await fetch(`${given}/config`)).json()).toEqual({
      db: { url: `postgres://${MASK}@db/x`, 'max-pool': 4 },
    });
    const none = await serve({}, { snapshot: () => fleet.manager.snapshot() });
    const res = await fetch(`${none}/config`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'no config was given to this admin handler' });
  });
});

describe('routing', () => {
  it('serves the page, with a CSP that allows only its own nonce, at the root', async () => {
    const base = await serve();
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy')!;
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)![1]!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    const html = await res.text();
    expect(html).toContain(`<script nonce="${nonce}">`);
    expectNoSecret(html);
    // Metadata reaches the page only inside the JSON data block, escaped.
    expect(html).not.toContain('<img src=x');
    const second = await fetch(`${base}/`);
    expect(second.headers.get('content-security-policy')).not.toContain(nonce);
  });

  it('lives under basePath, answers 404 outside it, and 405 to other methods', async () => {
    const base = await serve({ basePath: '/ops/admin' });
    expect((await fetch(`${base}/ops/admin`)).status).toBe(200);
    expect((await fetch(`${base}/ops/admin/`)).status).toBe(200);
    expect((await fetch(`${base}/ops/admin/services?x=1`)).status).toBe(200);
    const page = await (await fetch(`${base}/ops/admin/`)).text();
    expect(page).toContain('"basePath":"/ops/admin"');
    for (const path of ['/services', '/ops/adminx', '/ops/admin/nope', '/']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { error: string }).error).toContain('/ops/admin');
    }
    const post = await fetch(`${base}/ops/admin/services`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const head = await fetch(`${base}/ops/admin/services`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0);
    expect(await head.text()).toBe('');
  });

  it("passes requests outside basePath to next, and matches Express's originalUrl", async () => {
    const handler = createAdminHandler(fleet.manager, { basePath: '/admin' });
    const served = await serveOnLoopback((req, res) => {
      // What Express does for app.use('/admin', handler): url without the mount path, originalUrl whole.
      if (req.url?.startsWith('/admin')) {
        (req as { originalUrl?: string }).originalUrl = req.url;
        req.url = req.url.slice('/admin'.length) || '/';
      }
      handler(req, res, () => res.end('next'));
    });
    closers.push(served.close);
    expect(await (await fetch(`${served.base}/other`)).text()).toBe('next');
    const res = await fetch(`${served.base}/admin/services`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as ServicesView).services.map((s) => s.name)).toContain('greeter');
  });

  it('refuses bad options with a ConfigError naming the option', () => {
    expect(() => createAdminHandler(fleet.manager, { basePath: 'admin' })).toThrow(
      "<createAdminHandler options>: basePath: expected '' or a path like '/admin' (no trailing '/'; letters, digits, -._~), found \"admin\"",
    );
    expect(() => createAdminHandler(fleet.manager, { basePath: '/admin/' })).toThrow(/basePath/);
    expect(() => createAdminHandler(fleet.manager, { refreshSeconds: 0 })).toThrow(
      '<createAdminHandler options>: refreshSeconds: expected a number of seconds from 1 to 3600, found number 0',
    );
    expect(() => createAdminHandler(fleet.manager, { services: ['a', ''] })).toThrow(
      /services: expected a list of service names/,
    );
    expect(() => createAdminHandler({} as never)).toThrow(/snapshot\(\)/);
  });
});
