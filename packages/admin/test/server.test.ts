import { request } from 'node:http';
import { ConfigError, ServiceCallerError } from '@service-caller/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopbackHost, startAdminServer } from '../src/index.js';
import { type Fleet, startFleet } from './support/fleet.js';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet();
});
afterAll(async () => {
  await fleet.close();
});

/** A GET with a chosen Host header (fetch does not let a test set it). */
function getWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', reject);
    req.end();
  });
}

describe('startAdminServer', () => {
  it('listens on 127.0.0.1 and a free port by default, with basePath in its URL', async () => {
    await using admin = await startAdminServer({ source: fleet.manager, basePath: '/admin' });
    expect(admin.host).toBe('127.0.0.1');
    expect(admin.port).toBeGreaterThan(0);
    expect(admin.url).toBe(`http://127.0.0.1:${admin.port}/admin/`);
    expect((await fetch(admin.url)).status).toBe(200);
    expect((await fetch(`${admin.url}services`)).status).toBe(200);
  });

  it('answers only to loopback Host names (no DNS rebinding)', async () => {
    await using admin = await startAdminServer({ source: fleet.manager });
    expect(await getWithHost(admin.url, `127.0.0.1:${admin.port}`)).toBe(200);
    expect(await getWithHost(admin.url, `localhost:${admin.port}`)).toBe(200);
    expect(await getWithHost(admin.url, `[::1]:${admin.port}`)).toBe(200);
    expect(await getWithHost(admin.url, `evil.example:${admin.port}`)).toBe(403);
    expect(await getWithHost(admin.url, '127.0.0.1.evil.example')).toBe(403);
  });

  it('refuses a non-loopback host without allowRemote, naming the option', async () => {
    const error = await startAdminServer({ source: fleet.manager, host: '0.0.0.0' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      '<startAdminServer options>: host: expected a loopback address (127.0.0.1, ::1, localhost), or allowRemote: true, found "0.0.0.0"',
    );
    await expect(startAdminServer({ source: fleet.manager, port: 70000 })).rejects.toThrow(
      /port: expected a port/,
    );
    await expect(startAdminServer({ source: fleet.manager, refreshSeconds: -1 })).rejects.toThrow(
      /refreshSeconds/,
    );
  });

  it('binds elsewhere with allowRemote, and answers any Host then', async () => {
    await using admin = await startAdminServer({ source: fleet.manager, allowRemote: true });
    expect(await getWithHost(admin.url, `admin.internal:${admin.port}`)).toBe(200);
  });

  it('rejects with SC_ERR_ADMIN_LISTEN when the port is taken, and closes idempotently', async () => {
    const first = await startAdminServer({ source: fleet.manager });
    const error = (await startAdminServer({ source: fleet.manager, port: first.port }).catch(
      (e: unknown) => e,
    )) as ServiceCallerError;
    expect(error).toBeInstanceOf(ServiceCallerError);
    expect(error.code).toBe('SC_ERR_ADMIN_LISTEN');
    expect(error.message).toBe(`admin server: cannot listen on 127.0.0.1:${first.port}: EADDRINUSE`);
    // A keep-alive connection (what the page holds open) does not keep close() waiting.
    await fetch(first.url);
    await Promise.all([first.close(), first.close()]);
    await expect(fetch(first.url)).rejects.toThrow();
  });

  it('knows the loopback names', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost', 'LOCALHOST'])
      expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.1', 'example.com', '127.0.0.1.nip.io'])
      expect(isLoopbackHost(host)).toBe(false);
  });
});
