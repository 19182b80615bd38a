import {
  type CallAttempt,
  ConfigError,
  type EjectionEvent,
  type RequestContext,
  type ServiceInterceptor,
} from '@service-caller/core';
import { Counter, Gauge, Histogram, type LabelValues, type Registry } from 'prom-client';
import { OUTCOMES, outcomeIndex, STATUS_CLASSES, statusClassIndex } from './call-labels.js';
import {
  type NormalizedPrometheusOptions,
  normalizeOptions,
  type PrometheusInterceptorOptions,
} from './options.js';

type Labels = LabelValues<string>;

/** The metric names, after the prefix. */
export const METRIC_NAMES = {
  duration: 'client_request_duration_seconds',
  inFlight: 'client_requests_in_flight',
  attempts: 'client_attempts_total',
  ejections: 'client_ejections_total',
} as const;

/**
 * An interceptor that measures every call into a prom-client registry:
 *
 * - `service_caller_client_request_duration_seconds` (histogram): the call's duration from its
 *   start to its end (interceptors included), labelled `service`, `method`, `status_class`
 *   (`2xx` ... `5xx`, `none` when no response came) and `outcome` (`success`, `error`, `fallback`,
 *   `cancelled`), plus `service_instance` (the instance's id) with `instanceLabel: true`;
 * - `service_caller_client_requests_in_flight` (gauge): calls started and not yet ended, labelled
 *   `service` and `method` (the status and the outcome are not known while a call runs);
 * - `service_caller_client_attempts_total` (counter): the attempts (HTTP requests sent; more
 *   than the calls when calls retry), labelled like the histogram, `outcome` being the attempt's
 *   (`success`, `error`, `cancelled`);
 * - `service_caller_client_ejections_total` (counter): instances outlier ejection took out of
 *   their service's list, labelled `service` and `reason` (`consecutive-failures`,
 *   `connect-failure`, `failed-on-return`), plus `service_instance` with `instanceLabel: true`.
 *   Returns are not counted as a gauge of "ejected now": the engine lets an instance back when
 *   the service is next called, so such a gauge would stay up while nothing calls; the admin
 *   page and `snapshot()` show the state.
 *
 * The label sets are built once per series and reused, so a call allocates no label object.
 * Two interceptors cannot register the same names in one registry: the second throws a
 * `ConfigError` (give it its own `registry` or `prefix`, or share the first).
 *
 * @example
 * ```ts
 * import { prometheusInterceptor } from '@service-caller/interceptor-prometheus';
 * import { Registry } from 'prom-client';
 *
 * const registry = new Registry();
 * const manager = await ServiceManager.create({ configDir: './config', interceptors: [prometheusInterceptor({ registry })] });
 * // GET /metrics: res.setHeader('content-type', registry.contentType).end(await registry.metrics());
 * ```
 */
export function prometheusInterceptor(options?: PrometheusInterceptorOptions): ServiceInterceptor {
  return new PrometheusInterceptor(normalizeOptions(options));
}

class PrometheusInterceptor implements ServiceInterceptor {
  readonly name: string;
  readonly order: number;
  readonly #instanceLabel: boolean;
  readonly #duration: Histogram<string>;
  readonly #inFlight: Gauge<string>;
  readonly #attempts: Counter<string>;
  readonly #ejections: Counter<string>;
  /** Calls counted in the gauge, so each is taken off exactly once (and only if it was counted). */
  readonly #running = new WeakSet<RequestContext>();
  /** Failures seen in `handleException`, before a fallback can clear `ctx.error`; touched only on failure. */
  readonly #failures = new WeakMap<RequestContext, unknown>();
  /** service -> method -> the gauge's labels. Never frozen: prom-client keeps and may extend them. */
  readonly #inFlightLabels = new Map<string, Map<string, Labels>>();
  /**
   * service -> method -> instance id ('' without the label) -> labels by status class and
   * outcome: the histogram's and the attempts counter's, which have the same label names.
   */
  readonly #durationLabels = new Map<string, Map<string, Map<string, Labels[]>>>();

  constructor(options: NormalizedPrometheusOptions) {
    this.name = options.name;
    this.order = options.order;
    this.#instanceLabel = options.instanceLabel;
    const { registry, prefix } = options;
    const durationName = `${prefix}${METRIC_NAMES.duration}`;
    const inFlightName = `${prefix}${METRIC_NAMES.inFlight}`;
    const attemptsName = `${prefix}${METRIC_NAMES.attempts}`;
    const ejectionsName = `${prefix}${METRIC_NAMES.ejections}`;
    for (const name of [durationName, inFlightName, attemptsName, ejectionsName]) refuseTaken(registry, name);
    const labelNames = [
      'service',
      'method',
      'status_class',
      'outcome',
      ...(options.instanceLabel ? ['service_instance'] : []),
    ];
    this.#duration = new Histogram({
      name: durationName,
      help: 'Duration of service-caller calls in seconds, from the start of the call to its end.',
      labelNames: [
        'service',
        'method',
        'status_class',
        'outcome',
        ...(options.instanceLabel ? ['service_instance'] : []),
      ],
      buckets: [...options.buckets],
      registers: [registry],
    });
    this.#inFlight = new Gauge({
      name: inFlightName,
      help: 'service-caller calls started and not yet ended.',
      labelNames: ['service', 'method'],
      registers: [registry],
    });
    this.#attempts = new Counter({
      name: attemptsName,
      help: 'HTTP requests sent by service-caller calls (attempts), retries included.',
      labelNames,
      registers: [registry],
    });
    this.#ejections = new Counter({
      name: ejectionsName,
      help: 'Instances ejected from their service by outlier ejection (calls stop going there for a while).',
      labelNames: ['service', 'reason', ...(options.instanceLabel ? ['service_instance'] : [])],
      registers: [registry],
    });
  }

  beforeRequest(ctx: RequestContext): void {
    this.#running.add(ctx);
    this.#inFlight.inc(this.#inFlightLabelsOf(ctx));
  }

  handleException(ctx: RequestContext): void {
    if (ctx.error !== undefined) this.#failures.set(ctx, ctx.error);
  }

  afterResponse(ctx: RequestContext): void {
    // Not counted when an earlier interceptor's beforeRequest threw before ours ran.
    if (this.#running.delete(ctx)) this.#inFlight.dec(this.#inFlightLabelsOf(ctx));
    const failure = ctx.error === undefined ? this.#failures.get(ctx) : ctx.error;
    const instance = this.#instanceLabel ? (ctx.selectedInstance?.id ?? '') : '';
    const status = statusClassIndex(ctx.response?.status);
    const outcome = outcomeIndex(ctx, failure, ctx.error === undefined);
    const ms = ctx.duration ?? performance.now() - ctx.startTime;
    this.#duration.observe(this.#labelsOf(ctx, instance, status, outcome), ms / 1000);
  }

  afterAttempt(ctx: RequestContext, attempt: CallAttempt): void {
    const instance = this.#instanceLabel ? attempt.instance.id : '';
    const status = statusClassIndex(attempt.status);
    const outcome = outcomeIndex(ctx, attempt.error, false);
    this.#attempts.inc(this.#labelsOf(ctx, instance, status, outcome));
  }

  onEjection(event: EjectionEvent): void {
    if (event.type !== 'ejected') return;
    // Rare (an instance failing), so its labels are built each time rather than cached.
    const labels: Record<string, string> = { service: event.serviceName, reason: event.reason };
    if (this.#instanceLabel) labels.service_instance = event.instance.id;
    this.#ejections.inc(labels);
  }

  #inFlightLabelsOf(ctx: RequestContext): Labels {
    let byMethod = this.#inFlightLabels.get(ctx.serviceName);
    if (byMethod === undefined) {
      byMethod = new Map();
      this.#inFlightLabels.set(ctx.serviceName, byMethod);
    }
    let labels = byMethod.get(ctx.method);
    if (labels === undefined) {
      labels = { service: ctx.serviceName, method: ctx.method };
      byMethod.set(ctx.method, labels);
    }
    return labels;
  }

  #labelsOf(ctx: RequestContext, instance: string, statusClass: number, outcome: number): Labels {
    let byMethod = this.#durationLabels.get(ctx.serviceName);
    if (byMethod === undefined) {
      byMethod = new Map();
      this.#durationLabels.set(ctx.serviceName, byMethod);
    }
    let byInstance = byMethod.get(ctx.method);
    if (byInstance === undefined) {
      byInstance = new Map();
      byMethod.set(ctx.method, byInstance);
    }
    let slots = byInstance.get(instance);
    if (slots === undefined) {
      slots = [];
      byInstance.set(instance, slots);
    }
    const slot = statusClass * OUTCOMES.length + outcome;
    let labels = slots[slot];
    if (labels === undefined) {
      const values: Record<string, string> = {
        service: ctx.serviceName,
        method: ctx.method,
        status_class: STATUS_CLASSES[statusClass]!,
        outcome: OUTCOMES[outcome]!,
      };
      if (this.#instanceLabel) values.service_instance = instance;
      labels = values;
      slots[slot] = labels;
    }
    return labels;
  }
}

function refuseTaken(registry: Registry, name: string): void {
  if (registry.getSingleMetric(name) === undefined) return;
  throw new ConfigError({
    file: '<prometheusInterceptor options>',
    keyPath: 'registry',
    expected: `a registry without a metric named ${name}`,
    found: 'one that has it',
    hint: 'a second prometheusInterceptor on the same registry? Share the first one, or give this one its own registry or prefix',
  });
}
