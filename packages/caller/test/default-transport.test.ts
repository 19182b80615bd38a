import { isResponseTooLargeError, isTimeoutError } from '@service-caller/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultTransport, defaultTransportKind } from '../src/default-transport.js';
import { startServer, type TestServer } from './support/http-server.js';
import { RecordingLogger } from './support/recording-logger.js';

/*
 * The default transport per runtime. That Bun gets one that works is proven on Bun itself by the
 * runtime matrix (apps/runtimes: the end-to-end script with the default transport); here, on
 * Node, the choice and the fetch transport it builds are checked against a real server.
 */

const settings = {
  connections: 100,
  connectTimeout: 6000,
  readTimeout: 6000,
  maxResponseSize: 64 * 1024 * 1024,
};

describe('defaultTransportKind', () => {
  it('is undici on Node and Deno, fetch on Bun (whose undici is a partial built-in)', () => {
    expect(defaultTransportKind({ node: '24.21.0', v8: '13.6' })).toBe('undici');
    expect(defaultTransportKind({ node: '22.23.3', deno: '2.9.6' })).toBe('undici');
    expect(defaultTransportKind({ node: '24.3.0', bun: '1.4.5' })).toBe('fetch');
    expect(defaultTransportKind(undefined)).toBe('undici');
  });

  it('reads this process by default: undici under Node', () => {
    expect(defaultTransportKind()).toBe('undici');
  });
});

describe('defaultTransport', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer((req, res) => {
      if (req.url === '/stall') return;
      if (req.url === '/big') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('x'.repeat(100));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`hello ${req.url}`);
    });
  });
  afterAll(() => server.close());

  it('builds the undici transport by default here', async () => {
    const transport = defaultTransport(settings, new RecordingLogger());
    expect(transport.name).toBe('undici');
    await transport.close();
  });

  it('builds a working fetch transport with the configured read timeout where fetch is the default', async () => {
    const logger = new RecordingLogger();
    const transport = defaultTransport({ ...settings, readTimeout: 250 }, logger, 'fetch');
    try {
      expect(transport.name).toBe('fetch');
      const origin = `http://127.0.0.1:${server.port}`;
      const res = await transport.send({ method: 'GET', origin, path: '/hi', headers: {} });
      expect(await res.text()).toBe('hello /hi');
      const error = await transport
        .send({ method: 'GET', origin, path: '/stall', headers: {} })
        .catch((e: unknown) => e);
      expect(isTimeoutError(error), String(error)).toBe(true);
      expect(error).toMatchObject({ phase: 'read', timeoutMs: 250 });
      // The default pool size is not worth a warning: nothing the user set is dropped.
      expect(logger.lines.filter((line) => line.level === 'warn')).toEqual([]);
    } finally {
      await transport.close();
    }
  });

  it('gives the fetch transport the configured max-response-size', async () => {
    const transport = defaultTransport({ ...settings, maxResponseSize: 16 }, new RecordingLogger(), 'fetch');
    try {
      const origin = `http://127.0.0.1:${server.port}`;
      const error = await transport
        .send({ method: 'GET', origin, path: '/big', headers: {} })
        .then((res) => res.text())
        .catch((e: unknown) => e);
      expect(isResponseTooLargeError(error), String(error)).toBe(true);
      expect(error).toMatchObject({ limit: 16 });
    } finally {
      await transport.close();
    }
  });

  it('warns that a configured connection-pool-size is not used by the fetch transport', async () => {
    const logger = new RecordingLogger();
    const transport = defaultTransport({ ...settings, connections: 8 }, logger, 'fetch');
    await transport.close();
    const warnings = logger.lines.filter((line) => line.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain('connection-pool-size (8) is not used');
    expect(warnings[0]!.fields).toMatchObject({ connectionPoolSize: 8, transport: 'fetch' });
  });
});
