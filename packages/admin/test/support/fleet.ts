import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceManager } from '@service-caller/caller';
import { silentLogger, staticRegistry } from '@service-caller/core';
import { closedPort } from '@service-caller/testkit';

/** The secrets the fleet's config and metadata hold; no test may find them in a page or a JSON answer. */
export const SECRETS = {
  password: 'Pa55-w0rd-in-the-config',
  token: 'tok-in-the-metadata-123',
  queryToken: 'tok-in-a-query-456',
} as const;

/** A running caller over real upstream servers on 127.0.0.1, and what it takes to stop it. */
export interface Fleet {
  readonly manager: ServiceManager;
  /** The two live upstreams of `greeter`, then the port of its dead third instance. */
  readonly ports: readonly number[];
  readonly deadPort: number;
  /** Makes `n` GETs to `greeter` (sequentially; bounded by `n`). */
  drive(n: number): Promise<void>;
  close(): Promise<void>;
}

async function upstream(name: string): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ name }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

/**
 * `greeter` with three instances: two real servers and one on a closed port (refused
 * connections: the engine ejects it at once), metadata that is user-controlled (HTML in it,
 * a token), and `quiet` (one real server, never called). The config names a Nacos password,
 * but the registry is an injected static one, so no Nacos is needed.
 */
export async function startFleet(): Promise<Fleet> {
  const servers = [await upstream('a'), await upstream('b'), await upstream('quiet')];
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  const deadPort = await closedPort();
  const dir = await mkdtemp(join(tmpdir(), 'sc-admin-'));
  await writeFile(
    join(dir, 'application.yaml'),
    [
      'service-caller:',
      '  lb-type: round_robin',
      'app-registry:',
      '  nacos:',
      '    server-addr: "127.0.0.1:1"',
      '    username: nacos',
      `    password: "${SECRETS.password}"`,
      '',
    ].join('\n'),
  );
  const registry = staticRegistry({
    services: {
      greeter: [
        {
          host: '127.0.0.1',
          port: ports[0]!,
          weight: 2,
          metadata: { zone: 'a', note: '<img src=x onerror=alert(1)></script>' },
        },
        { host: '127.0.0.1', port: ports[1]!, metadata: { zone: 'b', 'auth-token': SECRETS.token } },
        {
          host: '127.0.0.1',
          port: deadPort,
          metadata: { zone: 'b', link: `http://x/?access_token=${SECRETS.queryToken}&v=1` },
        },
      ],
      quiet: [{ host: '127.0.0.1', port: ports[2]! }],
    },
  });
  const manager = await ServiceManager.create({ configDir: dir, registry, logger: silentLogger });
  return {
    manager,
    ports: ports.slice(0, 2),
    deadPort,
    async drive(n) {
      for (let i = 0; i < n; i++) await manager.get('greeter', '/hello');
    },
    async close() {
      await manager.close();
      await registry.close();
      for (const s of servers) {
        s.closeAllConnections();
        s.close();
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
