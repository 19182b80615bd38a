// An upstream process for the chaos tests: one or more node:http servers on 127.0.0.1 (port 0),
// each answering as its behaviour says, counting what it receives. Plain JavaScript, so the test
// can start it with `node` alone. It prints one JSON line `{"ports":[...]}` when listening, and
// exits when its stdin closes (the test process ended, however it ended).
//
//   node upstream-process.mjs '<json: [{ "behaviour": "ok" | "slow:<ms>" | "half-503" | "stall" | "stall-some:<ms>:<every>" }]>'
//
// `GET /__stats` answers every server's counts (not counted itself): requests by method, and
// requests whose connection closed before they were answered (an aborted attempt).
import { createServer } from 'node:http';

const specs = JSON.parse(process.argv[2] ?? '[{"behaviour":"ok"}]');
const servers = [];

function answer(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

for (const [index, spec] of specs.entries()) {
  const counts = { requests: 0, byMethod: {}, aborted: 0 };
  const [kind, a, b] = String(spec.behaviour).split(':');
  const server = createServer((req, res) => {
    if (req.url === '/__stats') {
      answer(res, 200, JSON.stringify(servers.map((s) => s.counts)));
      return;
    }
    counts.requests++;
    counts.byMethod[req.method] = (counts.byMethod[req.method] ?? 0) + 1;
    res.on('close', () => {
      if (!res.writableFinished) counts.aborted++;
    });
    req.resume();
    req.on('end', () => {
      const body = JSON.stringify({ instance: index, zone: spec.zone });
      switch (kind) {
        case 'ok':
          answer(res, 200, body);
          break;
        case 'slow':
          setTimeout(() => answer(res, 200, body), Number(a));
          break;
        case 'half-503':
          if (counts.requests % 2 === 0) answer(res, 503, '{"error":"overloaded"}');
          else answer(res, 200, body);
          break;
        case 'stall':
          // Accepts, reads the request, never answers.
          break;
        case 'stall-some':
          // Every b-th request waits a ms; the others answer at once.
          if (counts.requests % Number(b) === 0) setTimeout(() => answer(res, 200, body), Number(a));
          else answer(res, 200, body);
          break;
        default:
          answer(res, 500, '{"error":"unknown behaviour"}');
      }
    });
  });
  server.keepAliveTimeout = 30_000;
  servers.push({ server, counts });
}

await Promise.all(
  servers.map(({ server }) => new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))),
);
process.stdout.write(`${JSON.stringify({ ports: servers.map(({ server }) => server.address().port) })}\n`);
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
