import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CallEngine,
  ConnectionError,
  createClient,
  endpoint,
  HttpStatusError,
  InvalidRequestError,
  TimeoutError,
} from '../../src/index.js';
import type { TestServer } from '../support/test-server.js';
import { clientEngine, type Echo, rejection, startClientServer } from './support.js';

let server: TestServer;
let engine: CallEngine;

beforeAll(async () => {
  server = await startClientServer();
  engine = clientEngine(server.port);
});

afterAll(async () => {
  await engine.close();
  await server.close();
});

describe('headers', () => {
  const client = () =>
    createClient(
      engine,
      'user-service',
      {
        withDefaults: endpoint.get('/echo', {
          defaults: { headers: { 'X-Shared': 'endpoint', 'x-endpoint': 'e', 'X-Call': 'endpoint' } },
        }),
        plain: endpoint.get('/echo'),
      },
      { headers: { 'x-client': 'c', 'x-shared': 'client' } },
    );

  it('puts endpoint defaults over client defaults, whatever the case of the names', async () => {
    const echo = (await client().withDefaults()) as Echo;
    expect(echo.headers).toMatchObject({
      'x-client': 'c',
      'x-shared': 'endpoint',
      'x-endpoint': 'e',
      'x-call': 'endpoint',
    });
  });

  it('puts the call headers over both, sending each name once', async () => {
    const echo = (await client().withDefaults({ headers: { 'x-call': 'call', 'X-CLIENT': 'call' } })) as Echo;
    expect(echo.headers).toMatchObject({ 'x-client': 'call', 'x-shared': 'endpoint', 'x-call': 'call' });
    const raw = server.seen.at(-1)!;
    expect(raw.headers['x-call']).toBe('call');
  });

  it('sends only the client defaults for an endpoint without its own', async () => {
    const echo = (await client().plain()) as Echo;
    expect(echo.headers).toMatchObject({ 'x-client': 'c', 'x-shared': 'client' });
    expect(echo.headers['x-endpoint']).toBeUndefined();
  });

  it('does not change the caller’s header object', async () => {
    const own = { 'x-own': '1' };
    await client().withDefaults({ headers: own });
    expect(own).toEqual({ 'x-own': '1' });
  });

  it('refuses call headers that are not an object', async () => {
    const error = await rejection(client().plain({ headers: 'x' as never }));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message).toContain('headers must be an object of strings, found string');
  });
});

describe('timeout', () => {
  // The timeout that fired is read from the error: which default won, without measuring time.
  const client = () =>
    createClient(
      engine,
      'user-service',
      {
        endpointTimeout: endpoint.get('/respond/hang', { defaults: { timeout: 60 } }),
        clientTimeout: endpoint.get('/respond/hang'),
      },
      { timeout: 80 },
    );

  it('uses the endpoint default over the client default', async () => {
    const error = await rejection(client().endpointTimeout());
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).timeoutMs).toBe(60);
  });

  it('uses the client default for an endpoint without one', async () => {
    expect(((await rejection(client().clientTimeout())) as TimeoutError).timeoutMs).toBe(80);
  });

  it('uses the call’s own timeout over both', async () => {
    expect(((await rejection(client().endpointTimeout({ timeout: 70 }))) as TimeoutError).timeoutMs).toBe(70);
  });
});

describe('throwHttpErrors', () => {
  const client = () =>
    createClient(
      engine,
      'user-service',
      {
        lenient: endpoint.get('/respond/status/404', { defaults: { throwHttpErrors: false } }),
        strict: endpoint.get('/respond/status/404', { defaults: { throwHttpErrors: true } }),
        inherits: endpoint.get('/respond/status/404'),
      },
      { throwHttpErrors: false },
    );

  it('follows the endpoint default, then the client default', async () => {
    expect(await client().lenient()).toEqual({ status: 404, error: 'as asked' });
    expect(await client().inherits()).toEqual({ status: 404, error: 'as asked' });
    const error = await rejection(client().strict());
    expect(error).toBeInstanceOf(HttpStatusError);
    expect((error as HttpStatusError).status).toBe(404);
  });

  it('lets the call override the defaults both ways', async () => {
    expect(await rejection(client().lenient({ throwHttpErrors: true }))).toBeInstanceOf(HttpStatusError);
    expect(await client().strict({ throwHttpErrors: false })).toEqual({ status: 404, error: 'as asked' });
  });

  it('throws by default without any setting', async () => {
    const plain = createClient(engine, 'user-service', { call: endpoint.get('/respond/status/500') });
    expect(await rejection(plain.call())).toBeInstanceOf(HttpStatusError);
  });
});

describe('signal and protocol', () => {
  it('passes the call’s signal: an aborted call rejects with its reason', async () => {
    const client = createClient(engine, 'user-service', { hang: endpoint.get('/respond/hang') });
    const controller = new AbortController();
    const pending = client.hang({ signal: controller.signal });
    const reason = new Error('stop');
    controller.abort(reason);
    expect(await rejection(pending)).toBe(reason);
  });

  it('passes the protocol to the engine', async () => {
    const client = createClient(engine, 'user-service', { call: endpoint.get('/echo') });
    // The server speaks plain HTTP: an https attempt fails, proving the option reached the transport.
    const error = await rejection(client.call({ protocol: 'https', timeout: 5000 }));
    expect(error).toBeInstanceOf(ConnectionError);
    expect((await client.call({ protocol: 'http' })) as Echo).toMatchObject({ url: '/echo' });
  });
});
