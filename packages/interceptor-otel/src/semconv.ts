/**
 * The attribute and metric names this package writes, from the OpenTelemetry HTTP client
 * semantic conventions (stable since v1.23, checked against v1.45). Written out here rather than
 * imported from `@opentelemetry/semantic-conventions`: a dozen strings do not justify a second
 * runtime dependency, and a third-party interceptor package depends on its own library alone.
 */
export const ATTR_HTTP_REQUEST_METHOD = 'http.request.method';
export const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
export const ATTR_HTTP_REQUEST_RESEND_COUNT = 'http.request.resend_count';
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';
export const ATTR_URL_FULL = 'url.full';
export const ATTR_ERROR_TYPE = 'error.type';
/** The logical name of the service called (development status in the conventions; replaces `peer.service`). */
export const ATTR_SERVICE_PEER_NAME = 'service.peer.name';

/** Ours: the id of the instance the balancer chose (`10.0.0.7:8080`, or the registry's id). */
export const ATTR_INSTANCE_ID = 'service_caller.instance.id';
/** Ours, on the call span: how many attempts (HTTP requests) the call made. */
export const ATTR_ATTEMPTS = 'service_caller.attempts';
/** Ours: set to `true` when the call failed and a later interceptor turned it into a result. */
export const ATTR_FALLBACK = 'service_caller.fallback';

/** The duration histogram of the conventions, in seconds. */
export const METRIC_HTTP_CLIENT_REQUEST_DURATION = 'http.client.request.duration';
/** Ours (no convention covers it): instances outlier ejection took out, a counter. */
export const METRIC_EJECTIONS = 'service_caller.client.ejections';
/** Why an instance was ejected: `connect-failure`, `consecutive-failures`, `failed-on-return`. */
export const ATTR_EJECTION_REASON = 'service_caller.ejection.reason';
/** The bucket boundaries the conventions advise for `http.client.request.duration`, in seconds. */
export const DURATION_BUCKETS_SECONDS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];
