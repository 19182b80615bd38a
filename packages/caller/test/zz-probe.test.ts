import { expect, it } from 'vitest';
import { ServiceManager } from '../src/index.js';
import { startServer, staticConfig } from './support/http-server.js';
it('probe: close with an unread raw body', async () => {
  const big = Buffer.alloc(4 * 1024 * 1024, 1);
  const server = await startServer((_q, res) => { res.writeHead(200, { 'content-length': big.length }); res.end(big); });
  const m = await ServiceManager.create({ config: staticConfig({ s: [server] }) });
  const res = await m.rawGet('s', '/');
  const t = performance.now();
  const outcome = await Promise.race([m.close().then(() => 'closed'), new Promise((r) => setTimeout(() => r('hung'), 3000))]);
  console.log('outcome', outcome, performance.now() - t, res.bodyUsed);
  await server.close();
  expect(1).toBe(1);
});
