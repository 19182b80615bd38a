import {
  type CallEngine,
  type CallEngineOptions,
  createCallEngine,
  roundRobin,
  silentLogger,
  staticRegistry,
} from '../../src/index.js';
import { nodeHttpTransport } from '../support/node-http-transport.js';
import { reply, startServer, type TestServer } from '../support/test-server.js';

/** What the server answers on any path not under `/respond/`: the request as it arrived. */
export interface Echo {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * A real server for the client tests: `/respond/user` answers a valid user, `/respond/bad-user`
 * an invalid one, `/respond/status/<code>` that status with a JSON body, `/respond/hang` never
 * answers; every other path echoes the request.
 */
export function startClientServer(): Promise<TestServer> {
  return startServer((req, res, body) => {
    const url = req.url ?? '/';
    const path = url.split('?')[0]!;
    if (path === '/respond/user') {
      reply(res, 200, '{"id":1,"name":"Ann"}', 'application/json');
    } else if (path === '/respond/bad-user') {
      reply(res, 200, '{"id":"one","name":42}', 'application/json');
    } else if (path.startsWith('/respond/status/')) {
      const status = Number(path.slice('/respond/status/'.length));
      reply(res, status, JSON.stringify({ status, error: 'as asked' }), 'application/json');
    } else if (path === '/respond/hang') {
      // Never answers; the client's timeout ends the call and the server's close the socket.
    } else {
      const echo: Echo = { method: req.method ?? '', url, headers: req.headers, body };
      reply(res, 200, JSON.stringify(echo), 'application/json');
    }
  });
}

/** The engine the client tests call through: static registry -> round robin -> node:http. */
export function clientEngine(port: number, options: Partial<CallEngineOptions> = {}): CallEngine {
  return createCallEngine({
    discovery: staticRegistry({
      services: { 'user-service': [{ host: '127.0.0.1', port }] },
      logger: silentLogger,
    }),
    transport: nodeHttpTransport(),
    loadBalancer: roundRobin(),
    logger: silentLogger,
    ...options,
  });
}

export { rejection } from '../support/engine-fixture.js';
