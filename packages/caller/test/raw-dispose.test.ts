import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RawResponse, ServiceManager } from '../src/index.js';
import { startServer, staticConfig, type TestServer } from './support/http-server.js';

// Larger than the socket buffers, so an unread body really holds its connection.
const BIG = Buffer.alloc(1024 * 1024, 0x61);

describe('raw responses disposed with await using', () => {
  let server: TestServer;
  let manager: ServiceManager;

  beforeAll(async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': BIG.length });
      res.end(BIG);
    });
    // One connection: a body that is not released would block every later call.
    manager = await ServiceManager.create({
      config: staticConfig({ big: [server] }, { connectionPoolSize: 1 }),
    });
  });

  afterAll(async () => {
    await manager.close();
    await server.close();
  });

  it('releases the connection at scope end, so the single pooled connection serves the next call', async () => {
    let last: RawResponse | undefined;
    for (let i = 0; i < 30; i++) {
      await using res = await manager.rawGet('big', `/big/${i}`, { timeout: 10_000 });
      expect(res.status).toBe(200);
      last = res;
    }
    expect(last?.bodyUsed).toBe(true);
    await expect(manager.get<Uint8Array>('big', '/after', { timeout: 10_000 })).resolves.toHaveLength(
      BIG.length,
    );
  });

  it('disposes at scope end when the block throws', async () => {
    let captured: RawResponse | undefined;
    const run = async () => {
      await using res = await manager.rawGet('big', '/throws', { timeout: 10_000 });
      captured = res;
      throw new Error('the block failed');
    };
    await expect(run()).rejects.toThrow('the block failed');
    expect(captured?.bodyUsed).toBe(true);
    await using next = await manager.rawGet('big', '/next', { timeout: 10_000 });
    expect((await next.bytes()).length).toBe(BIG.length);
  });
});
