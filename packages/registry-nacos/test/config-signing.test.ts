import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { nacosConfigSource } from '../src/index.js';

const sources: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(sources.splice(0).map((source) => source.close()));
});

describe('request signing with access-key / secret-key', () => {
  it('sends Spas-AccessKey, Timestamp and the HMAC-SHA1 Spas-Signature of tenant+group+timestamp', async () => {
    const seen: IncomingMessage[] = [];
    // A real HTTP server on 127.0.0.1 that records what the client sends (no open-source Nacos checks signatures).
    const server = createServer((request, response) => {
      seen.push(request);
      response.writeHead(200, { 'content-type': 'text/plain' }).end('a: 1\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const secretKey = 'sk-Y789uioJKL';
      const source = nacosConfigSource({
        serverAddr: `127.0.0.1:${port}`,
        namespace: 'dev',
        group: 'G1',
        accessKey: 'ak-1',
        secretKey,
        imports: [{ dataId: 'gateway.yaml' }],
      });
      sources.push(source);
      await source.load();
      const headers = seen[0]!.headers;
      expect(seen[0]!.url).toBe('/nacos/v1/cs/configs?dataId=gateway.yaml&group=G1&tenant=dev');
      expect(headers['spas-accesskey']).toBe('ak-1');
      const timestamp = String(headers.timestamp);
      expect(Math.abs(Number(timestamp) - Date.now())).toBeLessThan(60_000);
      const expected = createHmac('sha1', secretKey).update(`dev+G1+${timestamp}`).digest('base64');
      expect(headers['spas-signature']).toBe(expected);
      expect(JSON.stringify(headers)).not.toContain(secretKey);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
