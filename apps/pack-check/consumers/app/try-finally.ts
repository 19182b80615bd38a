// ServiceManager without `using`: the form that runs everywhere the packages claim (Node >= 22),
// by type stripping too. It checks what it gets, so a wrong result fails the run.
import assert from 'node:assert/strict';
import { AuthInterceptor, isHttpStatusError, ServiceManager } from '@service-caller/caller';

const manager = await ServiceManager.create({
  configDir: './config',
  interceptors: [new AuthInterceptor({ token: process.env.TOKEN ?? '' })],
});
try {
  assert.deepEqual(await manager.get('greeter', '/hello?n=1'), { method: 'GET', path: '/hello?n=1' });
  const res = await manager.rawGet('greeter', '/raw');
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { method: 'GET', path: '/raw' });
  const error = await manager.get('greeter', '/status/503').catch((e: unknown) => e);
  assert.ok(isHttpStatusError(error), `expected an HttpStatusError, got ${String(error)}`);
  assert.equal(error.status, 503);
  assert.deepEqual(error.body, { status: 503 });
  console.log('ok');
} finally {
  await manager.close();
}
