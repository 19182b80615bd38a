import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PortsFixture } from '../portable/fixtures.js';

/** `count` real HTTP servers on 127.0.0.1 that answer `200 ok`, so registries' health checks pass. */
export async function startHealthServers(count: number): Promise<PortsFixture> {
  const servers: Server[] = [];
  const ports: number[] = [];
  const close = async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  };
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok');
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
      servers.push(server);
      ports.push((server.address() as AddressInfo).port);
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { ports, close };
}
