import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach } from 'vitest';
import {
  type CallEngine,
  type CallEngineOptions,
  createCallEngine,
  roundRobin,
  type StaticRegistry,
  silentLogger,
  staticRegistry,
} from '../../src/index.js';
import { closedPort } from './engine-fixture.js';
import { type NodeHttpTransport, nodeHttpTransport } from './node-http-transport.js';
import { startServer, type TestServer } from './test-server.js';

/** How upstream number `index` answers one request; `count` is its requests so far, this one included. */
export type Behaviour = (
  index: number,
  count: number,
  req: IncomingMessage,
  res: ServerResponse,
  body: string,
) => void;

/** Answers 200 with `{"instance":index}`. */
export function ok(index: number, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ instance: index }));
}

/** Several real upstreams of one service, on 127.0.0.1, each counting what it receives. */
export interface Upstreams {
  readonly servers: readonly TestServer[];
  /** Requests each upstream received, by index. */
  counts(): number[];
  close(): Promise<void>;
}

export async function startUpstreams(count: number, behaviour: Behaviour): Promise<Upstreams> {
  const servers: TestServer[] = [];
  for (let i = 0; i < count; i++) {
    let seen = 0;
    servers.push(await startServer((req, res, body) => behaviour(i, ++seen, req, res, body)));
  }
  return {
    servers,
    counts: () => servers.map((server) => server.seen.length),
    close: async () => {
      await Promise.all(servers.map((server) => server.close()));
    },
  };
}

/**
 * An engine on `ports` (service `svc`, round robin, the node:http test transport, a silent
 * logger, a short back-off so tests wait little), closed after the test, with `overrides`.
 */
export interface Harness {
  engine: CallEngine;
  registry: StaticRegistry;
  transport: NodeHttpTransport;
}

export function engineHarness(): {
  engineOn(
    ports: readonly number[],
    overrides?: Partial<CallEngineOptions>,
    transport?: NodeHttpTransport,
  ): Harness;
  closedPort: () => Promise<number>;
  track(upstreams: Upstreams): Upstreams;
} {
  const engines: CallEngine[] = [];
  const upstreams: Upstreams[] = [];
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((engine) => engine.close()));
    await Promise.all(upstreams.splice(0).map((u) => u.close()));
  });
  return {
    engineOn(ports, overrides = {}, transport = nodeHttpTransport({ buffered: true })) {
      const registry = staticRegistry({
        services: { svc: ports.map((port) => ({ host: '127.0.0.1', port })) },
        logger: silentLogger,
      });
      const engine = createCallEngine({
        discovery: registry,
        transport,
        loadBalancer: roundRobin(),
        logger: silentLogger,
        retry: { backoff: { base: 1, max: 5 } },
        ...overrides,
      });
      engines.push(engine);
      return { engine, registry, transport };
    },
    closedPort,
    track(u) {
      upstreams.push(u);
      return u;
    },
  };
}
