import type { ServerFixture, SuiteFixtures } from './portable/fixtures.js';
import { startHealthServers } from './registry/health-servers.js';
import { makeCertificates } from './transport/certificates.js';
import { roundTrip, TestServer } from './transport/test-server.js';
import { Blackhole, closedPort } from './transport/unreachable.js';

/**
 * The suites' fixtures in this Node process: `node:http`/`node:https` servers on 127.0.0.1 port
 * 0, a blackhole listener for connect timeouts, a closed port, health-check servers. What
 * `testTransport` and `testRegistry` use; `serveFixtures` offers the same to another process.
 */
export function nodeFixtures(): SuiteFixtures {
  return {
    startServer: startTestServer,
    async startBlackhole() {
      const blackhole = new Blackhole();
      await blackhole.start();
      return { origin: blackhole.origin, close: () => blackhole.close() };
    },
    closedPort,
    startHealthServers,
  };
}

async function startTestServer(options?: { tls?: boolean }): Promise<ServerFixture> {
  let server: TestServer;
  let ca: string | undefined;
  if (options?.tls) {
    const certificates = await makeCertificates();
    ca = certificates.ca;
    server = new TestServer({ key: certificates.key, cert: certificates.cert });
  } else {
    server = new TestServer();
  }
  await server.start();
  return {
    origin: server.origin,
    ...(ca === undefined ? {} : { ca }),
    seen: (id) => server.seen(id),
    release: async (id, text) => server.release(id, text),
    openSockets: async () => server.openSockets,
    socketClosed: (id) => server.socketClosed(id),
    roundTrip: () => roundTrip(server.origin),
    close: () => server.close(),
  };
}
