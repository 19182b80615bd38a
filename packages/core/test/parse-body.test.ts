import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isResponseParseError, parseBody, type RawResponse, ResponseParseError } from '../src/index.js';
import type { EchoServer } from './support/echo-server.js';
import { startEchoServer } from './support/echo-server.js';
import { type NodeHttpTransport, nodeHttpTransport } from './support/node-http-transport.js';

let server: EchoServer;
let transport: NodeHttpTransport;

beforeAll(async () => {
  server = await startEchoServer();
  transport = nodeHttpTransport();
});

afterAll(async () => {
  await transport.close();
  await server.close();
});

function fetchRaw(path: string, method = 'GET'): Promise<RawResponse> {
  return transport.send({ method, origin: `http://127.0.0.1:${server.port}`, path, headers: {} });
}

describe('parseBody', () => {
  it.each([
    ['/json', { a: 1, list: [1, 2] }],
    ['/problem', { title: 'x' }],
    ['/json-upper', { upper: true }],
    ['/text', 'hello, wörld'],
    ['/html', '<p>hi</p>'],
    ['/latin1', 'café'],
    ['/unknown-charset', 'plain'],
    ['/bytes', new Uint8Array([1, 2, 3, 250])],
    ['/no-type', new Uint8Array([7, 8])],
  ])('parses %s by its content type', async (path, expected) => {
    const response = await fetchRaw(path);
    expect(await parseBody(response)).toEqual(expected);
    expect(response.bodyUsed).toBe(true);
  });

  it.each([
    '/status/204',
    '/status/304',
    '/empty-json',
    '/empty-chunked',
    '/empty-text-chunked',
    '/empty-bytes-chunked',
  ])('resolves the empty body of %s to undefined and releases it', async (path) => {
    const response = await fetchRaw(path);
    expect(await parseBody(response)).toBeUndefined();
    expect(response.bodyUsed).toBe(true);
  });

  it('rejects invalid JSON with a ResponseParseError that keeps the text out of its message', async () => {
    const error = await parseBody(await fetchRaw('/invalid-json')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseParseError);
    expect(isResponseParseError(error)).toBe(true);
    expect(isResponseParseError(new Error('x'))).toBe(false);
    expect((error as ResponseParseError).message).toBe(
      `the application/json body (5 characters) of the 200 response from http://127.0.0.1:${server.port}/invalid-json is not valid JSON`,
    );
  });
});
