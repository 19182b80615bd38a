import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { nodeFixtures } from './node-fixtures.js';
import { FIXTURE_METHODS, type FixtureKind } from './portable/fixture-protocol.js';
import type { SuiteFixtures } from './portable/fixtures.js';
import { within } from './transport/bounded.js';

/** A running {@link serveFixtures} server. */
export interface FixtureServer {
  /** `http://127.0.0.1:<port>`: what `remoteFixtures(url)` takes. */
  readonly url: string;
  /** Closes every fixture still open, then the server. */
  close(): Promise<void>;
}

/** Control requests are a few bytes of JSON; anything larger is not one. */
const MAX_CONTROL_BYTES = 64 * 1024;

/**
 * Offers the suites' fixtures to another process over HTTP on 127.0.0.1 (port 0 unless given),
 * for `remoteFixtures(url)` from `@service-caller/testkit/portable`: the servers run here, in
 * Node, and the cases run in a runtime that has no Node modules (workerd) or whose are not the
 * point (Bun, Deno). The protocol is in portable/fixture-protocol.ts.
 */
export async function serveFixtures(
  fixtures: SuiteFixtures = nodeFixtures(),
  options: { port?: number } = {},
): Promise<FixtureServer> {
  let nextHandle = 0;
  const open = new Map<string, { kind: FixtureKind; target: Record<string, unknown> }>();

  const start = async (body: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const kind = body.kind as FixtureKind;
    let target: Record<string, unknown>;
    if (kind === 'server') {
      target = asRecord(await fixtures.startServer({ tls: body.tls === true }));
    } else if (kind === 'blackhole') {
      target = asRecord(await fixtures.startBlackhole());
    } else if (kind === 'health') {
      target = asRecord(await fixtures.startHealthServers(Number(body.count)));
    } else {
      throw new Error(`unknown fixture kind ${JSON.stringify(kind)}`);
    }
    const handle = `f${++nextHandle}`;
    open.set(handle, { kind, target });
    const { origin, ca, ports } = target;
    return { handle, origin, ca, ports };
  };

  const call = async (body: Record<string, unknown>): Promise<unknown> => {
    const entry = open.get(String(body.handle));
    const method = String(body.method);
    if (!entry) throw new Error(`no open fixture ${JSON.stringify(body.handle)}`);
    if (!FIXTURE_METHODS[entry.kind].includes(method)) {
      throw new Error(`a ${entry.kind} fixture has no remote method ${JSON.stringify(method)}`);
    }
    if (method === 'close') open.delete(String(body.handle));
    const args = Array.isArray(body.args) ? body.args : [];
    return await (entry.target[method] as (...values: unknown[]) => Promise<unknown>)(...args);
  };

  const server = createServer((req, res) => {
    readJson(req)
      .then((body) => {
        if (req.url === '/start') return start(body);
        if (req.url === '/call') return call(body);
        if (req.url === '/closed-port') return fixtures.closedPort();
        throw new Error(`no control route ${req.method} ${req.url}`);
      })
      .then(
        (value) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ value: value ?? null }));
        },
        (error: unknown) => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
        },
      );
  });
  server.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  await within(once(server, 'listening'), 'the fixture server listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      const closing = [...open.values()].map(({ target }) => (target.close as () => Promise<void>)());
      open.clear();
      await Promise.allSettled(closing);
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await within(closed, 'the fixture server closing');
    },
  };
}

/** A fixture seen as the bag of members the protocol reaches by name. */
function asRecord(fixture: object): Record<string, unknown> {
  return fixture as Record<string, unknown>;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > MAX_CONTROL_BYTES) throw new Error('control request too large');
  }
  const value: unknown = text === '' ? {} : JSON.parse(text);
  if (typeof value !== 'object' || value === null) throw new Error('control request is not a JSON object');
  return value as Record<string, unknown>;
}
