export type { Outcome, StatusClass } from './call-labels.js';
export { DEFAULT_BUCKETS_SECONDS, type PrometheusInterceptorOptions } from './options.js';
export { METRIC_NAMES, prometheusInterceptor } from './prometheus-interceptor.js';
