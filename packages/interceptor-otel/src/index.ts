export type { OtelInterceptorOptions } from './options.js';
export { INSTRUMENTATION_SCOPE, otelInterceptor } from './otel-interceptor.js';
export { DURATION_BUCKETS_SECONDS } from './semconv.js';
