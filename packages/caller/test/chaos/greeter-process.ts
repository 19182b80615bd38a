// A greeter for the Nacos chaos test: an HTTP server on 127.0.0.1 (port 0) that registers itself
// in Nacos through ServiceManager, as a service of the project would. Prints `{"port":n}` once
// registered; exits when its stdin closes. Run with `node --conditions=source --import tsx`.
//
//   NACOS_ADDR=127.0.0.1:8848 GREETER_SERVICE=greeter-x node ... greeter-process.ts
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ServiceManager, silentLogger } from '../../src/index.js';

const serverAddr = process.env.NACOS_ADDR ?? '127.0.0.1:8848';
const service = process.env.GREETER_SERVICE ?? 'greeter';

const server = createServer((_req, res) => {
  const body = JSON.stringify({ greeting: 'hello', port: (server.address() as AddressInfo).port });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;
const manager = await ServiceManager.create({
  config: { appRegistry: { nacos: { serverAddr, appName: service, ip: '127.0.0.1', port } } },
  logger: silentLogger,
});
process.stdout.write(`${JSON.stringify({ port })}\n`);
const stop = async () => {
  await manager.close().catch(() => {});
  server.close();
  process.exit(0);
};
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
