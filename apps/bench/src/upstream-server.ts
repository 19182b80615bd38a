/**
 * The upstream process: `upstream-server.ts <count>` starts `count` minimal JSON services
 * (plain `node:http`) on 127.0.0.1, each on a free port, prints `BENCH_UPSTREAM {"ports":[...]}`
 * and serves until SIGTERM or until its stdin closes (the harness went away). Each `stats` line on
 * stdin gets a `BENCH_UPSTREAM_STATS {"cpuUs":...,"requests":...}` line back: the harness uses it
 * to tell whether the upstream was the bottleneck of a run. `GET /bench/stall` is held and never
 * answered until `GET /bench/release` (the memory benchmark's stalling upstream), which answers
 * them all; `GET /bench/stats` (and `/bench/release`) answer `{"served":...,"stalled":...}`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { STATS_PREFIX, UPSTREAM_PREFIX } from './upstream.js';

const count = Number(process.argv[2] ?? '3');
if (!Number.isInteger(count) || count < 1 || count > 64) {
  process.stderr.write(
    `upstream-server: expected an instance count from 1 to 64, found ${process.argv[2]}\n`,
  );
  process.exit(2);
}

/** A ~200-byte JSON body naming the instance, built once: the server's cost must stay flat. */
function bodyFor(instance: number): Buffer {
  const value = {
    ok: true,
    instance,
    service: 'bench',
    items: [
      { id: 1, name: 'alpha', price: 12.5 },
      { id: 2, name: 'beta', price: 7.25 },
    ],
    tags: ['json', 'bench', 'upstream'],
    message: 'hello from the benchmark upstream',
  };
  return Buffer.from(JSON.stringify(value));
}

let served = 0;
/** Requests to `/bench/stall` being held (the memory benchmark's in-flight calls), until `/bench/release`. */
const held = new Set<http.ServerResponse>();

function startInstance(instance: number): Promise<http.Server> {
  const body = bodyFor(instance);
  const headers = { 'content-type': 'application/json', 'content-length': String(body.length) };
  const server = http.createServer((req, res) => {
    // Drain any request body so keep-alive connections stay usable; GETs have none.
    req.resume();
    if (req.url === '/bench/stall') {
      // Accepted and not answered until /bench/release (or until the client closes the connection).
      held.add(res);
      res.once('close', () => held.delete(res));
      return;
    }
    if (req.url === '/bench/stats' || req.url === '/bench/release') {
      const stalled = held.size;
      if (req.url === '/bench/release') {
        for (const waiting of held) {
          waiting.writeHead(200, headers);
          waiting.end(body);
        }
        held.clear();
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ served, stalled }));
      return;
    }
    served++;
    res.writeHead(200, headers);
    res.end(body);
  });
  // Clients keep connections open across the whole run; don't close idle ones under them.
  server.keepAliveTimeout = 120_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

const servers = await Promise.all(Array.from({ length: count }, (_, i) => startInstance(i + 1)));
const ports = servers.map((s) => (s.address() as AddressInfo).port);
process.stdout.write(`${UPSTREAM_PREFIX}${JSON.stringify({ ports, bodyBytes: bodyFor(1).length })}\n`);

const stop = () => {
  for (const server of servers) server.closeAllConnections();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.setEncoding('utf8').on('data', (chunk: string) => {
  for (const line of chunk.split('\n')) {
    if (line.trim() !== 'stats') continue;
    const cpu = process.cpuUsage();
    process.stdout.write(
      `${STATS_PREFIX}${JSON.stringify({ cpuUs: cpu.user + cpu.system, requests: served })}\n`,
    );
  }
});
