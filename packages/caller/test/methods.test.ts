import { fetchTransport } from '@service-caller/transport-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClosedError,
  HttpStatusError,
  InvalidRequestError,
  ServiceManager,
  type Transport,
  undiciTransport,
} from '../src/index.js';
import {
  echoHandler,
  type Handler,
  startServer,
  staticConfig,
  type TestServer,
} from './support/http-server.js';

const router: Handler = (req, res) => {
  const path = req.url.split('?')[0];
  if (path === '/text') {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('plain words');
  } else if (path === '/bytes') {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(Buffer.from([1, 2, 3]));
  } else if (path === '/empty') {
    res.writeHead(204);
    res.end();
  } else if (path === '/problem') {
    res.writeHead(503, { 'content-type': 'application/problem+json' });
    res.end(JSON.stringify({ title: 'down for maintenance' }));
  } else {
    echoHandler(req, res);
  }
};

interface Echo {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

const transports: Array<[string, (() => Transport) | undefined]> = [
  ['undici (built from config)', undefined],
  ['undici (injected)', () => undiciTransport({ connectTimeout: 5000, readTimeout: 5000 })],
  ['fetch (injected)', () => fetchTransport({ connectTimeout: 5000, readTimeout: 5000 })],
];

describe.each(transports)('every method over %s', (_name, makeTransport) => {
  let server: TestServer;
  let manager: ServiceManager;
  let transport: Transport | undefined;

  beforeAll(async () => {
    server = await startServer(router);
    transport = makeTransport?.();
    manager = await ServiceManager.create({
      config: staticConfig({ 'other-app': [server] }),
      ...(transport === undefined ? {} : { transport }),
    });
  });

  afterAll(async () => {
    await manager.close();
    await transport?.close();
    await server.close();
  });

  const withBody = ['post', 'put', 'patch'] as const;
  for (const method of withBody) {
    it(`${method} sends json, query and headers and parses the JSON answer`, async () => {
      const echo = await manager[method]<Echo>('other-app', '/items?x=1', {
        query: { page: 2, tag: ['a', 'b'] },
        json: { name: 'widget' },
        headers: { 'x-trace': 't-1' },
      });
      expect(echo.method).toBe(method.toUpperCase());
      expect(echo.url).toBe('/items?x=1&page=2&tag=a&tag=b');
      expect(echo.headers['x-trace']).toBe('t-1');
      expect(echo.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(echo.body)).toEqual({ name: 'widget' });
    });
  }

  for (const method of ['get', 'delete', 'options'] as const) {
    it(`${method} reaches the service and parses the JSON answer`, async () => {
      const echo = await manager[method]<Echo>('other-app', '/things/7', { query: { q: 'x y' } });
      expect(echo.method).toBe(method.toUpperCase());
      expect(echo.url).toBe('/things/7?q=x%20y');
    });
  }

  it('head resolves with undefined and the server saw HEAD', async () => {
    const before = server.requests.length;
    await expect(manager.head('other-app', '/things/head-check')).resolves.toBeUndefined();
    const seen = server.requests.slice(before).find((r) => r.url === '/things/head-check');
    expect(seen?.method).toBe('HEAD');
  });

  it('sends a raw body as given', async () => {
    const echo = await manager.post<Echo>('other-app', '/raw-body', {
      body: 'a=1&b=2',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(echo.body).toBe('a=1&b=2');
    expect(echo.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('parses text, bytes and an empty body by content type', async () => {
    await expect(manager.get('other-app', '/text')).resolves.toBe('plain words');
    const bytes = await manager.get<Uint8Array>('other-app', '/bytes');
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect([...bytes]).toEqual([1, 2, 3]);
    await expect(manager.get('other-app', '/empty')).resolves.toBeUndefined();
  });

  it('rejects a non-2xx status with HttpStatusError carrying the parsed body, unless told not to', async () => {
    const error = await manager.get('other-app', '/problem').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpStatusError);
    const httpError = error as HttpStatusError;
    expect(httpError.status).toBe(503);
    expect(httpError.body).toEqual({ title: 'down for maintenance' });
    expect(httpError.serviceName).toBe('other-app');
    expect(httpError.url).toBe(`http://127.0.0.1:${server.port}/problem`);
    await expect(manager.get('other-app', '/problem', { throwHttpErrors: false })).resolves.toEqual({
      title: 'down for maintenance',
    });
  });

  const rawMethods = ['rawGet', 'rawPost', 'rawPut', 'rawDelete', 'rawPatch', 'rawOptions'] as const;
  for (const method of rawMethods) {
    it(`${method} resolves with the unread response`, async () => {
      await using res = await manager[method]('other-app', '/raw?k=v', { headers: { 'x-raw': '1' } });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/json');
      expect(res.bodyUsed).toBe(false);
      const echo = await res.json<Echo>();
      expect(echo.method).toBe(method.slice(3).toUpperCase());
      expect(echo.url).toBe('/raw?k=v');
      expect(echo.headers['x-raw']).toBe('1');
      expect(res.bodyUsed).toBe(true);
    });
  }

  it('rawHead resolves with the status and headers of a HEAD', async () => {
    await using res = await manager.rawHead('other-app', '/raw-head');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(await res.text()).toBe('');
  });

  it('a raw call never throws for a status', async () => {
    await using res = await manager.rawGet('other-app', '/problem');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ title: 'down for maintenance' });
  });

  it('request and rawRequest take the method in any case', async () => {
    await expect(manager.request<Echo>('get', 'other-app', '/lower')).resolves.toMatchObject({
      method: 'GET',
    });
    await expect(manager.request<Echo>('Patch' as 'PATCH', 'other-app', '/mixed')).resolves.toMatchObject({
      method: 'PATCH',
    });
    await using res = await manager.rawRequest('delete', 'other-app', '/lower-raw');
    expect(((await res.json()) as Echo).method).toBe('DELETE');
  });

  it('refuses an unknown method with InvalidRequestError naming it', async () => {
    const error = await manager.request('FETCH' as 'GET', 'other-app', '/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message).toBe(
      'unknown HTTP method "FETCH"; expected one of GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS',
    );
    await expect(manager.rawRequest(42 as unknown as 'GET', 'other-app', '/x')).rejects.toBeInstanceOf(
      InvalidRequestError,
    );
  });

  it('quotes at most 80 characters of an unknown method, so a huge one makes a short message', async () => {
    const error = await manager
      .request('X'.repeat(100_000) as 'GET', 'other-app', '/x')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message.length).toBeLessThan(200);
  });

  it('refuses an absolute URL or //host path without sending anything', async () => {
    const before = server.requests.length;
    await expect(manager.get('other-app', 'http://127.0.0.1:1/steal')).rejects.toBeInstanceOf(
      InvalidRequestError,
    );
    await expect(manager.get('other-app', '//evil.example/x')).rejects.toBeInstanceOf(InvalidRequestError);
    expect(server.requests.length).toBe(before);
  });
});

describe('after close', () => {
  it('every method and raw variant rejects with ClosedError', async () => {
    const server = await startServer(echoHandler);
    try {
      const manager = await ServiceManager.create({ config: staticConfig({ 'other-app': [server] }) });
      await manager.close();
      expect(manager.closed).toBe(true);
      const calls = [
        manager.get('other-app', '/'),
        manager.post('other-app', '/'),
        manager.put('other-app', '/'),
        manager.delete('other-app', '/'),
        manager.patch('other-app', '/'),
        manager.head('other-app', '/'),
        manager.options('other-app', '/'),
        manager.request('GET', 'other-app', '/'),
        manager.rawGet('other-app', '/'),
        manager.rawPost('other-app', '/'),
        manager.rawPut('other-app', '/'),
        manager.rawDelete('other-app', '/'),
        manager.rawPatch('other-app', '/'),
        manager.rawHead('other-app', '/'),
        manager.rawOptions('other-app', '/'),
        manager.rawRequest('GET', 'other-app', '/'),
      ];
      for (const call of calls) await expect(call).rejects.toBeInstanceOf(ClosedError);
      expect(server.requests).toHaveLength(0);
    } finally {
      await server.close();
    }
  });
});
