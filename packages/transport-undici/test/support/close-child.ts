// Run by misbehaving.int.test.ts in a child process: one raw response whose body keeps trickling
// in is left unread, the transport is closed with a short closeTimeout, and then the body is read.
// Prints one JSON line; the test checks the process also exits on its own (no process.exit here).
import { undiciTransport } from '../../src/index.js';

const [origin = '', path = '/trickle'] = process.argv.slice(2);
const transport = undiciTransport({ closeTimeout: 300, readTimeout: 5000 });
const response = await transport.send({ method: 'GET', origin, path, headers: {} });
const started = performance.now();
await transport.close();
const closeMs = Math.round(performance.now() - started);
const outcome = await response.text().then(
  () => 'resolved',
  (error: unknown) => `rejected ${(error as { code?: string }).code ?? (error as Error).name}`,
);
console.log(JSON.stringify({ closeMs, outcome, settledMs: Math.round(performance.now() - started) }));
