// Run by misbehaving.int.test.ts in a child process with --expose-gc: sends `rounds` rounds of
// calls to the given misbehaving paths (raw + text(), and buffered) on one transport, and prints
// the heap used after garbage collection before and after them, and whether /good still answers.
import { undiciTransport } from '../../src/index.js';

const [origin = '', roundsArg = '50', ...paths] = process.argv.slice(2);
const rounds = Number(roundsArg);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
const transport = undiciTransport({ readTimeout: 600, maxResponseSize: 64 * 1024, closeTimeout: 1000 });

async function round(): Promise<number> {
  let failures = 0;
  for (const path of paths) {
    const request = { method: 'GET', origin, path, headers: {}, signal: AbortSignal.timeout(60) };
    await transport
      .send(request)
      .then((res) => res.text())
      .catch(() => failures++);
    await transport.sendBuffered!({ ...request, signal: AbortSignal.timeout(60) }).catch(() => failures++);
  }
  return failures;
}

function heapAfterGc(): number {
  for (let i = 0; i < 4; i++) gc!();
  return process.memoryUsage().heapUsed;
}

// Warm-up: the JIT, undici's lazily made objects, the first pools.
for (let i = 0; i < 5; i++) await round();
// Let aborted timers and destroyed sockets finish their own cleanup before measuring.
await new Promise((resolve) => setTimeout(resolve, 200));
const before = heapAfterGc();
let failures = 0;
for (let i = 0; i < rounds; i++) failures += await round();
await new Promise((resolve) => setTimeout(resolve, 200));
const after = heapAfterGc();
const good = await transport.sendBuffered!({ method: 'GET', origin, path: '/good', headers: {} });
await transport.close();
console.log(
  JSON.stringify({ before, after, failures, calls: rounds * paths.length * 2, goodStatus: good.status }),
);
