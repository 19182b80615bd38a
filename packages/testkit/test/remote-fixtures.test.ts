import { silentLogger, staticRegistry } from '@service-caller/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveFixtures } from '../src/node.js';
import { registrySuite, remoteFixtures } from '../src/portable.js';
import { vitestApi } from '../src/vitest-api.js';

/*
 * The fixtures over HTTP, as a runtime without Node's modules uses them: the server side is
 * `serveFixtures` in this process, the client side `remoteFixtures`, talking through fetch.
 */

const served = await serveFixtures();
afterAll(() => served.close());
const remote = remoteFixtures(served.url);

// The whole registry suite with its health servers started through the control server.
registrySuite(
  vitestApi,
  {
    name: 'static, remote fixtures',
    create: () => staticRegistry({ logger: silentLogger }),
    propagationTimeout: 2_000,
  },
  remote,
);

describe('remote transport fixtures', () => {
  let server: Awaited<ReturnType<typeof remote.startServer>>;
  beforeAll(async () => {
    server = await remote.startServer();
  });
  afterAll(() => server.close());

  it('serves the suite routes and reports what the server saw', async () => {
    const res = await fetch(`${server.origin}/json`);
    expect(await res.json()).toEqual({ hello: 'world', n: 1, list: [1, 2, 3] });
    expect(await server.openSockets()).toBeGreaterThanOrEqual(0);
    const held = fetch(`${server.origin}/hold?id=remote-1`);
    await server.seen('remote-1');
    await server.release('remote-1', 'let go');
    expect(await (await held).text()).toBe('let go');
    await server.roundTrip();
  });

  it('hands out a closed port that refuses connections', async () => {
    const port = await remote.closedPort();
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
  });

  it('refuses what the protocol does not offer, naming it', async () => {
    await expect(server.release('never-held', 'x')).rejects.toThrow(/no held request never-held/);
    const post = (route: string, body: unknown) =>
      fetch(`${served.url}${route}`, { method: 'POST', body: JSON.stringify(body) });
    const { value } = (await (await post('/start', { kind: 'health', count: 1 })).json()) as {
      value: { handle: string };
    };
    const raw = await post('/call', { handle: value.handle, method: 'constructor' });
    expect(raw.status).toBe(500);
    expect(((await raw.json()) as { error: string }).error).toMatch(/no remote method "constructor"/);
    await post('/call', { handle: value.handle, method: 'close' });
  });
});
