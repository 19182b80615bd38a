import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { testInterceptor } from '@service-caller/testkit';
import { otelInterceptor } from '../src/index.js';
import { inMemoryTracing } from './support/sdk.js';

// Without an SDK: the no-op spans a library user pays for before setting one up.
testInterceptor({ name: 'otelInterceptor without an SDK', create: () => otelInterceptor() });

// With a recording tracer and the histogram on: spans are kept by the exporter, calls are not.
testInterceptor({
  name: 'otelInterceptor with a recording SDK and metrics',
  create: () =>
    otelInterceptor({
      tracerProvider: inMemoryTracing().provider,
      metrics: true,
      meterProvider: new MeterProvider(),
    }),
});
