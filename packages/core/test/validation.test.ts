import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequestContext } from '../src/adapter.js';
import {
  type CallEngine,
  type CallOptions,
  createCallEngine,
  type HttpMethod,
  HttpStatusError,
  InvalidRequestError,
  roundRobin,
  silentLogger,
  staticRegistry,
} from '../src/index.js';
import type { EchoServer } from './support/echo-server.js';
import { startEchoServer } from './support/echo-server.js';
import { type NodeHttpTransport, nodeHttpTransport } from './support/node-http-transport.js';

let server: EchoServer;
let engine: CallEngine;
let transport: NodeHttpTransport;
let lookups = 0;

beforeAll(async () => {
  server = await startEchoServer();
  transport = nodeHttpTransport();
  const registry = staticRegistry({
    services: { echo: [{ host: '127.0.0.1', port: server.port }] },
    logger: silentLogger,
  });
  engine = createCallEngine({
    discovery: {
      name: 'static',
      getInstances: (name) => {
        lookups++;
        return registry.getInstances(name);
      },
    },
    transport,
    loadBalancer: roundRobin(),
    logger: silentLogger,
  });
});

afterAll(async () => {
  await engine.close();
  await server.close();
});

async function refusal(call: Promise<unknown>): Promise<InvalidRequestError> {
  const before = { sent: transport.sent.length, lookups };
  let error: unknown;
  try {
    await call;
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(InvalidRequestError);
  expect((error as InvalidRequestError).code).toBe('SC_ERR_INVALID_REQUEST');
  // Refused before discovery and before anything was sent.
  expect({ sent: transport.sent.length, lookups }).toEqual(before);
  return error as InvalidRequestError;
}

describe('path validation', () => {
  it.each([
    ['http://evil.example/x', "path must start with '/'"],
    ['https://evil.example', "path must start with '/'"],
    ['evil.example/x', "path must start with '/'"],
    ['', 'path must start with \'/\', found ""'],
    ['//evil.example/x', "path must not start with '//'"],
    ['/\\evil.example/x', 'path must not contain a backslash'],
    ['/a\\b', 'path must not contain a backslash'],
    ['/a b', 'path must not contain white space or control characters'],
    ['/a\tb', 'path must not contain white space or control characters'],
    ['/a\r\nHost: evil', 'path must not contain white space or control characters'],
    ['/a\u0000', 'path must not contain white space or control characters'],
    ['/a\u007f', 'path must not contain white space or control characters'],
    ['/a\u00a0b', 'path must not contain white space'],
    ['/a\u3000b', 'path must not contain white space'],
    ['/a#frag', "path must not contain '#'"],
    ['/a\ud800', 'path contains a lone UTF-16 surrogate'],
  ])('refuses %j', async (path, message) => {
    const error = await refusal(engine.request('GET', 'echo', path));
    expect(error.message).toContain("invalid request GET to service 'echo'");
    expect(error.message).toContain(message);
  });

  it('refuses a path that is not a string', async () => {
    const error = await refusal(engine.request('GET', 'echo', 42 as unknown as string));
    expect(error.message).toContain('path must be a string, found 42');
  });

  it('accepts a plain path with query and percent-escapes', async () => {
    await expect(engine.request('GET', 'echo', '/echo/a%20b/c?x=%2F&y=1')).resolves.toMatchObject({
      url: '/echo/a%20b/c?x=%2F&y=1',
    });
    await expect(engine.request('GET', 'echo', '/', { throwHttpErrors: false })).resolves.toMatchObject({
      error: 'no route',
      path: '/',
    });
  });
});

describe('what refusals quote', () => {
  const MB = 1024 * 1024;

  it.each([
    ['/a b?access_token=s3cret', 'path must not contain white space', '"/a b?..."'],
    ['//evil.example/x?access_token=s3cret', "path must not start with '//'", '"//evil.example/x?..."'],
    ['/a#frag?access_token=s3cret', "path must not contain '#'", '"/a#frag?..."'],
    ['http://evil.example/?access_token=s3cret', "path must start with '/'", '"http://evil.example/?..."'],
  ])('leaves the query out of %j', async (path, message, shown) => {
    const error = await refusal(engine.request('GET', 'echo', path));
    expect(error.message).toContain(message);
    expect(error.message).toContain(shown);
    expect(error.message).not.toContain('s3cret');
    expect(error.message).not.toContain('access_token');
  });

  it('leaves the query out of a path a beforeRequest set', async () => {
    const rerouting = createCallEngine({
      discovery: staticRegistry({ services: { echo: [{ host: '127.0.0.1', port: server.port }] } }),
      transport: nodeHttpTransport(),
      loadBalancer: roundRobin(),
      logger: silentLogger,
      interceptors: [
        {
          name: 'reroute',
          beforeRequest(ctx) {
            ctx.path = '//evil.example/x?access_token=s3cret';
          },
        },
      ],
    });
    try {
      const error = await rerouting.request('GET', 'echo', '/x').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect((error as Error).message).toContain("ctx.path set in beforeRequest must not start with '//'");
      expect((error as Error).message).not.toContain('s3cret');
    } finally {
      await rerouting.close();
    }
  });

  it('cuts a 1 MB path, service name and method to a short message', async () => {
    const long = 'a'.repeat(MB);
    for (const [method, serviceName, path] of [
      ['GET', 'echo', `/${long} x`],
      ['GET', 'echo', `${long}`],
      ['GET', 'echo', `/x?${long}`.replace('/x?', '/x y?')],
      ['GET', long, '/a b'],
      ['GET', `${long}/`, '/x'],
      [long, 'echo', '/x'],
    ] as const) {
      const error = await refusal(engine.request(method as HttpMethod, serviceName, path));
      expect(error.message.length).toBeLessThan(600);
      expect(error.message).toContain('...');
    }
    const error = await refusal(engine.request('GET', long, '/x', { timeout: -1 }));
    expect(error.message.length).toBeLessThan(600);
  });

  it("cuts a long URL in a status error's message, not in its url field, and drops the query", async () => {
    const path = `/${'a'.repeat(10_000)}?access_token=s3cret`;
    const error = (await engine.request('GET', 'echo', path).catch((e: unknown) => e)) as HttpStatusError;
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(error.status).toBe(404);
    expect(error.message.length).toBeLessThan(600);
    expect(error.message).not.toContain('s3cret');
    expect(error.url.endsWith(`/${'a'.repeat(10_000)}`)).toBe(true);
  });
});

describe('service name and method validation', () => {
  it.each([
    ['', 'serviceName must be a non-empty string, found an empty string'],
    ['a/b', "serviceName must not contain '/', ':' or white space, found \"a/b\""],
    ['host:80', "serviceName must not contain '/', ':' or white space"],
    ['a b', "serviceName must not contain '/', ':' or white space"],
    ['a\n', "serviceName must not contain '/', ':' or white space"],
  ])('refuses the service name %j', async (serviceName, message) => {
    expect((await refusal(engine.request('GET', serviceName, '/x'))).message).toContain(message);
  });

  it('refuses a service name that is not a string', async () => {
    const error = await refusal(engine.request('GET', undefined as unknown as string, '/x'));
    expect(error.message).toBe(
      'invalid request GET: serviceName must be a non-empty string, found undefined',
    );
  });

  it.each(['get', 'TRACE', 'CONNECT', ''])('refuses the method %j', async (method) => {
    const error = await refusal(engine.request(method as HttpMethod, 'echo', '/x'));
    expect(error.message).toContain(
      'method must be one of GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS (upper case)',
    );
  });
});

describe('options validation', () => {
  const cases: [string, unknown, string][] = [
    ['options not an object', 'x', 'options must be an object, found the string "x"'],
    ['json and body', { json: {}, body: 'x' }, 'options sets both json and body; send one of them'],
    ['timeout 0', { timeout: 0 }, 'options.timeout must be a positive finite number of milliseconds'],
    ['timeout negative', { timeout: -5 }, 'found -5'],
    ['timeout NaN', { timeout: Number.NaN }, 'found NaN'],
    ['timeout Infinity', { timeout: Number.POSITIVE_INFINITY }, 'found Infinity'],
    ['timeout string', { timeout: '100' }, 'found the string "100"'],
    ['timeout too long', { timeout: 2 ** 31 }, 'up to 2147483647'],
    [
      'protocol ftp',
      { protocol: 'ftp' },
      "options.protocol must be 'http' or 'https', found the string \"ftp\"",
    ],
    ['throwHttpErrors', { throwHttpErrors: 'no' }, 'options.throwHttpErrors must be a boolean'],
    ['signal', { signal: {} }, 'options.signal must be an AbortSignal, found an object (Object)'],
    [
      'headers array',
      { headers: [['a', 'b']] },
      'options.headers must be a plain object of strings, found an array',
    ],
    ['headers Map', { headers: new Map() }, 'found an object (Map)'],
    [
      'header number',
      { headers: { 'content-length': 5 } },
      "options.headers['content-length'] must be a string, found number",
    ],
    ['header null', { headers: { a: null } }, "options.headers['a'] must be a string, found null"],
    [
      'header name',
      { headers: { 'bad name': 'x' } },
      'options.headers has an invalid header name "bad name"',
    ],
    [
      'header CRLF',
      { headers: { a: 'x\r\nInjected: 1' } },
      "options.headers['a'] must not contain CR, LF or NUL",
    ],
    ['query string', { query: 'a=1' }, 'options.query must be an object of parameters or URLSearchParams'],
    [
      'query object value',
      { query: { a: { b: 1 } } },
      'options.query.a must be a string, a finite number, a boolean',
    ],
    [
      'query nested array',
      { query: { a: [[1]] } },
      'options.query.a[0] must be a string, a finite number, a boolean or an array of them, found a nested array',
    ],
    ['query NaN', { query: { a: Number.NaN } }, 'found NaN'],
    ['query surrogate', { query: { a: '\ud800' } }, 'options.query.a contains a lone UTF-16 surrogate'],
    [
      'body object',
      { body: { a: 1 } },
      'options.body must be a string, Uint8Array, ArrayBuffer, URLSearchParams or ReadableStream, found an object (Object) (use json for objects)',
    ],
    ['json BigInt', { json: { n: 1n } }, 'options.json cannot be serialized as JSON'],
    // JSON.stringify gives undefined for these, not a throw: sending nothing would be a silent default.
    [
      'json whose toJSON() returns undefined',
      { json: { toJSON: () => undefined } },
      'options.json cannot be serialized as JSON (it serializes to nothing: a function, a symbol, or a toJSON() that returns undefined)',
    ],
    [
      'json function',
      { json: () => 1 },
      'options.json cannot be serialized as JSON (it serializes to nothing',
    ],
    [
      'json symbol',
      { json: Symbol('s') },
      'options.json cannot be serialized as JSON (it serializes to nothing',
    ],
  ];

  it.each(cases)('refuses %s', async (_name, options, message) => {
    const error = await refusal(engine.request('POST', 'echo', '/echo', options as CallOptions));
    expect(error.message).toContain(message);
  });

  it('never prints a header value', async () => {
    const error = await refusal(
      engine.request('GET', 'echo', '/x', { headers: { authorization: 'Bearer s3cret\n' } }),
    );
    expect(error.message).not.toContain('s3cret');
  });

  it('accepts a null body as no body, and json: undefined with a body', async () => {
    await expect(engine.request('POST', 'echo', '/echo', { body: null as never })).resolves.toMatchObject({
      body: '',
    });
    await expect(
      engine.request('POST', 'echo', '/echo', { json: undefined, body: 'b' }),
    ).resolves.toMatchObject({
      body: 'b',
    });
  });
});

describe('createRequestContext', () => {
  it('builds the context the engine hands to beforeRequest, with its own options and headers', () => {
    const options = { headers: { a: '1' }, timeout: 5 };
    const ctx = createRequestContext({ method: 'PUT', serviceName: 'svc', path: '/p', options });
    expect(ctx).toMatchObject({
      method: 'PUT',
      serviceName: 'svc',
      path: '/p',
      protocol: 'http',
      raw: false,
      attempt: 0,
      error: undefined,
      result: undefined,
    });
    expect(ctx.options).toEqual(options);
    expect(ctx.options).not.toBe(options);
    expect(ctx.options.headers).not.toBe(options.headers);
    ctx.options.headers!.b = '2';
    expect(options.headers).toEqual({ a: '1' });
    expect(ctx.attributes).toBe(ctx.attributes);
    const bare = createRequestContext({ method: 'GET', serviceName: 'svc', path: '/', raw: true });
    expect(bare.options.headers).toEqual({});
    expect(bare.raw).toBe(true);
    expect(
      createRequestContext({ method: 'GET', serviceName: 's', path: '/', options: { protocol: 'https' } })
        .protocol,
    ).toBe('https');
  });

  it('refuses what the engine refuses', () => {
    expect(() => createRequestContext({ method: 'GET', serviceName: 'svc', path: '//x' })).toThrow(
      InvalidRequestError,
    );
    expect(() =>
      createRequestContext({ method: 'get' as HttpMethod, serviceName: 'svc', path: '/' }),
    ).toThrow(InvalidRequestError);
    expect(() => createRequestContext({ method: 'GET', serviceName: 'a:b', path: '/' })).toThrow(
      InvalidRequestError,
    );
    expect(() =>
      createRequestContext({ method: 'GET', serviceName: 'svc', path: '/', options: { timeout: -1 } }),
    ).toThrow(InvalidRequestError);
  });
});
