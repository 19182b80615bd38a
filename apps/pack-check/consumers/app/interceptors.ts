// The observability packages as their READMEs wire them, from their tarballs and their peers
// (prom-client, @opentelemetry/api without an SDK: no-op spans), on a ServiceManager.
import assert from 'node:assert/strict';
import { ServiceManager } from '@service-caller/caller';
import { otelInterceptor } from '@service-caller/interceptor-otel';
import { prometheusInterceptor } from '@service-caller/interceptor-prometheus';
import { Registry } from 'prom-client';

const registry = new Registry();
const manager = await ServiceManager.create({
  configDir: './config',
  interceptors: [prometheusInterceptor({ registry }), otelInterceptor({ metrics: true })],
});
try {
  assert.deepEqual(await manager.get('greeter', '/observed'), { method: 'GET', path: '/observed' });
  await manager.get('greeter', '/status/500').catch(() => undefined);
  const metrics = await registry.metrics();
  assert.match(
    metrics,
    /^service_caller_client_request_duration_seconds_count\{[^}]*service="greeter"[^}]*outcome="success"[^}]*\} 1$/m,
  );
  assert.match(metrics, /^service_caller_client_attempts_total\{[^}]*status_class="5xx"[^}]*\} 1$/m);
  console.log('ok');
} finally {
  await manager.close();
}
