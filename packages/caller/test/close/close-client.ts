/**
 * The client of close-bound.int.test.ts, in a process of its own so that the test can see it exit:
 * a ServiceManager (undici, 10 connections, close-timeout 0.5 s) sends 1,000 GETs to an upstream
 * that answers none, waits until the upstream holds the 10 its connections carry (the other 990
 * are queued in undici's pool), then calls close(). It prints one JSON line with how long close()
 * took and how every call ended, and then must exit by itself: nothing may hold the event loop.
 */
import { ServiceManager } from '@service-caller/caller';

const port = Number(process.env.UPSTREAM_PORT);
const CALLS = 1_000;
const POOL = 10;

const manager = await ServiceManager.create({
  config: {
    serviceCaller: { closeTimeout: 0.5, connectionPoolSize: POOL },
    appRegistry: { static: { services: { slow: [{ host: '127.0.0.1', port }] } } },
  },
});
const calls = Array.from({ length: CALLS }, (_, i) =>
  manager.get('slow', `/hold/${i}`).then(
    () => 'resolved',
    (error: unknown) => (error as { code?: string }).code ?? String(error),
  ),
);
// Bounded: at most 200 polls of the upstream's own count (not through the manager).
for (let poll = 0; poll < 200; poll++) {
  const held = Number(await (await fetch(`http://127.0.0.1:${port}/__held`)).text());
  if (held >= POOL) break;
  await new Promise((resolve) => setTimeout(resolve, 50));
}
const started = performance.now();
await manager.close();
const closeMs = performance.now() - started;
const outcomes: Record<string, number> = {};
for (const outcome of await Promise.all(calls)) outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
process.stdout.write(`${JSON.stringify({ closeMs, outcomes })}\n`);
