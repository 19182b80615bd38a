import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type CallEngine,
  createCallEngine,
  roundRobin,
  silentLogger,
  staticRegistry,
  TimeoutError,
} from '@service-caller/core';
import { waitFor } from '@service-caller/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { undiciTransport } from '../src/index.js';

/*
 * The transport says `usesAbortHook`: the engine hands it the call's deadline as `abortHook`
 * and no signal. These calls go through a real engine to a real server: the deadline, the
 * caller's signal and close() must each end the request, parsed (sendBuffered, the handler
 * listening to the hook) and raw (send, which gives undici's request() the hook's signal).
 */
describe('the undici transport on the abort hook', () => {
  let server: http.Server;
  let port = 0;
  const seen: string[] = [];
  const engines: CallEngine[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push(req.url ?? '');
      if (req.url?.startsWith('/hang-body')) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': 100 });
        res.write('{"a":');
        return;
      }
      if (req.url?.startsWith('/hang')) return;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
    server.listen({ port: 0, host: '127.0.0.1' });
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await Promise.all(engines.map((engine) => engine.close()));
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });

  function engine(timeout?: number): CallEngine {
    const made = createCallEngine({
      discovery: staticRegistry({ services: { svc: [{ host: '127.0.0.1', port }] }, logger: silentLogger }),
      transport: undiciTransport(),
      loadBalancer: roundRobin(),
      logger: silentLogger,
      ...(timeout === undefined ? {} : { timeout }),
      closeTimeout: 200,
    });
    engines.push(made);
    return made;
  }

  it('says usesAbortHook', () => {
    expect(undiciTransport().usesAbortHook).toBe(true);
  });

  it("ends a parsed and a raw call on the total timeout, with the engine's TimeoutError", async () => {
    const e = engine(5_000);
    await expect(e.request('GET', 'svc', '/json')).resolves.toEqual({ ok: true });
    const parsed = await e.request('GET', 'svc', '/hang', { timeout: 100 }).catch((x: unknown) => x);
    expect(parsed).toBeInstanceOf(TimeoutError);
    expect((parsed as TimeoutError).message).toBe(
      `total timeout of 100 ms elapsed for GET http://127.0.0.1:${port}/hang`,
    );
    const body = await e.request('GET', 'svc', '/hang-body', { timeout: 100 }).catch((x: unknown) => x);
    expect(body).toMatchObject({ phase: 'total', timeoutMs: 100 });
    const raw = await e.rawRequest('GET', 'svc', '/hang-body', { timeout: 150 });
    const read = await raw.text().catch((x: unknown) => x);
    expect(read).toMatchObject({ phase: 'total', timeoutMs: 150 });
  });

  it("ends a call with the caller's reason when its signal aborts", async () => {
    const e = engine(60_000);
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const call = e.request('GET', 'svc', '/hang?signal', { signal: controller.signal });
    await waitFor(() => seen.includes('/hang?signal'), { message: 'the server seeing the call' });
    controller.abort(reason);
    expect(await call.catch((x: unknown) => x)).toBe(reason);
  });

  it('ends a call still in flight when close() gives up on it', async () => {
    const e = engine(60_000);
    const call = e.request('GET', 'svc', '/hang?close').catch((x: unknown) => x);
    await waitFor(() => seen.includes('/hang?close'), { message: 'the server seeing the call' });
    await e.close();
    expect(await call).toMatchObject({ code: 'SC_ERR_CLOSED' });
  });
});
