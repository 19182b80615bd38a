/**
 * The upstream of `resilience.bench.ts`: `resilience-upstream.ts <behaviour>...` starts one
 * `node:http` service per argument on 127.0.0.1 (free ports), prints `RESILIENCE_UPSTREAM
 * {"ports":[...]}`, and serves until its stdin closes. Behaviours: `ok` answers at once,
 * `slow:<ms>` after `ms`, `stall-some:<ms>:<every>` after `ms` for every `every`-th request and at
 * once otherwise. Each answer is the bench's `{"ok":true,...}` body, which the load loop checks.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

// The harness (resilience.bench.ts) looks for this prefix on stdout.
const RESILIENCE_PREFIX = 'RESILIENCE_UPSTREAM ';

function start(behaviour: string, instance: number): Promise<http.Server> {
  const body = Buffer.from(JSON.stringify({ ok: true, instance, behaviour }));
  const headers = { 'content-type': 'application/json', 'content-length': String(body.length) };
  const [kind, a, b] = behaviour.split(':');
  const delay = Number(a);
  const every = Number(b);
  if (!['ok', 'slow', 'stall-some'].includes(kind!) || (kind !== 'ok' && !(delay >= 0))) {
    throw new Error(`resilience-upstream: unknown behaviour '${behaviour}'`);
  }
  let count = 0;
  const answer = (res: http.ServerResponse) => {
    if (!res.destroyed) {
      res.writeHead(200, headers);
      res.end(body);
    }
  };
  const server = http.createServer((req, res) => {
    req.resume();
    count++;
    if (kind === 'slow' || (kind === 'stall-some' && count % every === 0)) setTimeout(answer, delay, res);
    else answer(res);
  });
  server.keepAliveTimeout = 120_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

const behaviours = process.argv.slice(2);
const servers = await Promise.all(behaviours.map((behaviour, i) => start(behaviour, i)));
process.stdout.write(
  `${RESILIENCE_PREFIX}${JSON.stringify({ ports: servers.map((s) => (s.address() as AddressInfo).port) })}\n`,
);
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
