// The smallest service-caller program: a service named "hello" with two instances on this
// machine, found by name and called round robin, with one log line per request and response.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LoggingInterceptor, ServiceManager } from '@service-caller/caller';

// Two instances of "hello"; each answers with its own port.
const servers: Server[] = [];
for (let i = 0; i < 2; i++) {
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ path: req.url, port: (server.address() as AddressInfo).port }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
}
const ports = servers.map((server) => (server.address() as AddressInfo).port);

// The same settings as config/application.yaml would hold (app-registry.static.services.hello).
await using manager = await ServiceManager.create({
  config: {
    appRegistry: { static: { services: { hello: ports.map((port) => ({ host: '127.0.0.1', port })) } } },
  },
  interceptors: [new LoggingInterceptor()],
});

for (let i = 0; i < 4; i++) {
  const body = await manager.get<{ path: string; port: number }>('hello', '/greet?name=you');
  console.log(`${body.path} answered by port ${body.port}`);
}
for (const server of servers) server.close(); // closes once the manager, disposed at the end, lets go
