import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminHandler, type ServicesView } from '../src/index.js';
import { type Fleet, startFleet } from './support/fleet.js';

/* The mounting the README shows, in the real frameworks, on 127.0.0.1 port 0. */

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet();
  await fleet.drive(3);
});
afterAll(async () => {
  await fleet.close();
});

async function expectAdminUnder(base: string): Promise<void> {
  const page = await fetch(`${base}/admin/`);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(await page.text()).toContain('"basePath":"/admin"');
  expect((await fetch(`${base}/admin`)).status).toBe(200);
  const services = (await (await fetch(`${base}/admin/services`)).json()) as ServicesView;
  expect(services.services.map((s) => [s.name, s.instances.length])).toEqual([['greeter', 3]]);
  const config = (await (await fetch(`${base}/admin/config`)).json()) as {
    appRegistry: { nacos: { password: string } };
  };
  expect(config.appRegistry.nacos.password).toBe('***');
}

describe('mounted in the frameworks', () => {
  it("Express: app.use('/admin', handler), the app's own routes untouched", async () => {
    const app = express();
    app.use('/admin', createAdminHandler(fleet.manager, { basePath: '/admin' }));
    app.get('/hello', (_req, res) => {
      res.send('app');
    });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await expectAdminUnder(base);
      expect(await (await fetch(`${base}/hello`)).text()).toBe('app');
      // Under the mount but not ours: a 404 from the handler, not Express's HTML one.
      const other = await fetch(`${base}/admin/nope`);
      expect(other.status).toBe(404);
      expect(other.headers.get('content-type')).toBe('application/json; charset=utf-8');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it("Fastify: GET '/admin' and '/admin/*' handing raw request and reply over with hijack()", async () => {
    const admin = createAdminHandler(fleet.manager, { basePath: '/admin' });
    const fastify = Fastify();
    for (const url of ['/admin', '/admin/*']) {
      fastify.get(url, (request, reply) => {
        reply.hijack();
        admin(request.raw, reply.raw);
      });
    }
    fastify.get('/hello', async () => 'app');
    try {
      const base = await fastify.listen({ port: 0, host: '127.0.0.1' });
      await expectAdminUnder(base);
      expect(await (await fetch(`${base}/hello`)).text()).toBe('app');
      expect((await fetch(`${base}/admin/services`, { method: 'HEAD' })).status).toBe(200);
    } finally {
      await fastify.close();
    }
  });
});
