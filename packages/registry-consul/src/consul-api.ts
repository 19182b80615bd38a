import { EventEmitter } from 'node:events';
import Consul from 'consul';
import type { NormalizedOptions } from './options.js';

/**
 * The four agent endpoints the registry uses, on the `consul` package (v2).
 *
 * What the package does well and is used as is: `health.service` (blocking queries with `index`,
 * `wait` and a request `timeout`, cancellation through a `ctx` event emitter, the response headers
 * with `ctx.includeResponse`), `agent.check.pass`, `agent.service.deregister`, https with a custom
 * CA (`ca` goes through to Node's TLS options), and the keep-alive agent it creates.
 *
 * What it cannot do, and how this file works around it: `agent.service.register` builds the body
 * from a fixed list of fields and drops `Weights`, `Namespace` and `Partition`; nor can it send
 * `replace-existing-checks`. So registration goes through the package's own request primitive
 * (`_put`, the documented client-building API of `papi`, which the package's methods are built
 * on), over the same connection and TLS settings. The namespace goes in an `X-Consul-Namespace`
 * header the client adds to every request, since no method of the package passes `ns`.
 */

/** One `PUT /v1/agent/service/register` body, with Consul's field names. */
export interface ServiceDefinition {
  ID: string;
  Name: string;
  Address: string;
  Port: number;
  Tags: string[];
  Meta: Record<string, string>;
  Weights: { Passing: number; Warning: number };
  Check: Record<string, string>;
  Namespace?: string;
  Partition?: string;
}

/** What `/v1/health/service/:service` answered: its entries and its `X-Consul-Index`. */
export interface HealthAnswer {
  readonly entries: unknown;
  readonly index: string | undefined;
}

/** Aborts the requests of one watch when it emits `cancel` (papi's cancellation). */
export type RequestContext = EventEmitter & { includeResponse: true };

export function requestContext(): RequestContext {
  return Object.assign(new EventEmitter(), { includeResponse: true as const });
}

interface PapiRequest {
  name: string;
  path: string;
  type?: 'json';
  body?: unknown;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  timeout?: number;
}

/** The slice of papi's client the package's types leave out. */
interface PapiPrimitives {
  _put(request: PapiRequest): Promise<unknown>;
}

type HealthServiceCall = (
  options: Record<string, unknown>,
) => Promise<[{ headers: Record<string, unknown> }, unknown]>;

export class ConsulApi {
  private readonly client: Consul;

  constructor(private readonly options: NormalizedOptions) {
    const settings: Record<string, unknown> = {
      host: options.host,
      port: options.port,
      secure: options.secure,
    };
    if (options.ca !== undefined) settings.ca = options.ca;
    if (options.namespace !== undefined) settings.headers = { 'x-consul-namespace': options.namespace };
    this.client = new Consul(settings as ConstructorParameters<typeof Consul>[0]);
  }

  /** Registers (or replaces) a service on the agent, with its check. */
  async register(definition: ServiceDefinition): Promise<void> {
    const query: Record<string, string> = { 'replace-existing-checks': 'true' };
    if (this.options.partition !== undefined) query.partition = this.options.partition;
    const headers: Record<string, string> = {};
    if (this.options.token !== undefined) headers['x-consul-token'] = this.options.token;
    await (this.client as unknown as PapiPrimitives)._put({
      name: 'agent.service.register',
      path: '/agent/service/register',
      type: 'json',
      body: definition,
      query,
      headers,
      timeout: this.options.timeoutMs,
    });
  }

  async deregister(serviceId: string): Promise<void> {
    await this.client.agent.service.deregister({ id: serviceId, ...this.common() });
  }

  /** Passes a TTL check and resets its TTL clock. */
  async passCheck(checkId: string): Promise<void> {
    await this.client.agent.check.pass({ id: checkId, ...this.common() });
  }

  /**
   * Lists the passing instances of a service. With `index`, a blocking query that returns when
   * the result changes or `wait` runs out; `ctx` cancels it.
   */
  async health(service: string, index: string | undefined, ctx: RequestContext): Promise<HealthAnswer> {
    const { datacenter, discoveryTag, waitMs, timeoutMs } = this.options;
    const call: Record<string, unknown> = { service, passing: true, ctx, ...this.common() };
    if (datacenter !== undefined) call.dc = datacenter;
    if (discoveryTag !== undefined) call.tag = discoveryTag;
    if (index !== undefined) {
      call.index = index;
      call.wait = `${waitMs}ms`;
      // Consul may hold the query up to wait + wait/16; give the answer time to travel too.
      call.timeout = waitMs + Math.ceil(waitMs / 16) + timeoutMs;
    } else {
      call.timeout = timeoutMs;
    }
    const [res, entries] = await (this.client.health.service as unknown as HealthServiceCall).call(
      this.client.health,
      call,
    );
    const header = res.headers['x-consul-index'];
    return { entries, index: typeof header === 'string' ? header : undefined };
  }

  /** Closes the keep-alive connections. */
  destroy(): void {
    this.client.destroy();
  }

  private common(): { token?: string; partition?: string; timeout: number } {
    const { token, partition, timeoutMs } = this.options;
    return {
      timeout: timeoutMs,
      ...(token !== undefined ? { token } : {}),
      ...(partition !== undefined ? { partition } : {}),
    };
  }
}
