import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll } from 'vitest';
import {
  type CallEngine,
  type CallEngineOptions,
  createCallEngine,
  roundRobin,
  type StaticRegistry,
  silentLogger,
  staticRegistry,
} from '../../src/index.js';
import { type EchoServer, startEchoServer } from './echo-server.js';
import { type NodeHttpTransport, nodeHttpTransport } from './node-http-transport.js';

/** An engine under test, with what it was built from. */
export interface EngineSetup {
  engine: CallEngine;
  transport: NodeHttpTransport;
  registry: StaticRegistry;
}

/**
 * The engine tests' fixture: an echo server for the file (started before, closed after), and
 * `setup()` for an engine on it (service `echo`, the node:http test transport, round robin, a
 * silent logger), closed after each test. Call it at the top of a test file.
 */
export function engineFixture(): {
  readonly server: EchoServer;
  setup(options?: Partial<CallEngineOptions>, transport?: NodeHttpTransport): EngineSetup;
} {
  let server: EchoServer | undefined;
  const engines: CallEngine[] = [];
  beforeAll(async () => {
    server = await startEchoServer();
  });
  afterAll(async () => {
    await server?.close();
  });
  afterEach(async () => {
    // Held requests would keep close() waiting: answer them first.
    while (server !== undefined && server.gated > 0) server.release();
    await Promise.all(engines.splice(0).map((engine) => engine.close()));
  });
  return {
    get server() {
      if (server === undefined) throw new Error('the echo server starts in beforeAll');
      return server;
    },
    setup(options = {}, transport = nodeHttpTransport()) {
      const registry = staticRegistry({
        services: { echo: [{ host: '127.0.0.1', port: this.server.port }] },
        logger: silentLogger,
      });
      const engine = createCallEngine({
        discovery: registry,
        transport,
        loadBalancer: roundRobin(),
        logger: silentLogger,
        ...options,
      });
      engines.push(engine);
      return { engine, transport, registry };
    },
  };
}

/** What `promise` rejects with; throws when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

/** The port of a server that was started and closed: nothing listens there. */
export async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
