import { RegistryError } from '@service-caller/core';
import { GrpcApi } from './grpc/grpc-api.js';
import { NacosHttp } from './nacos-http.js';
import { type InstanceSpec, type NamingApi, type NamingScope, parseJsonObject } from './naming-api.js';
import type { NormalizedOptions } from './options.js';
import { NacosOutage } from './outage-log.js';
import { V1Api } from './v1-api.js';
import { V3Api } from './v3-api.js';

/** A service name no one registers: the version probe lists it. */
const PROBE_SERVICE = 'service-caller.api-version-probe';

/**
 * The built-in client: `v1`, `v3` or `grpc` as configured, or for `auto` the protocol the server
 * speaks, asked once on first use: gRPC when its gRPC port answers, else v3 or v1. A failed probe
 * is not remembered: the next operation asks again.
 */
export function builtInApi(
  options: NormalizedOptions,
  http: NacosHttp = httpFor(options),
  outage: NacosOutage = new NacosOutage(options.logger, 'Nacos', { holdMs: options.emptyListHoldMs }),
): NamingApi {
  const scope: NamingScope = {
    namespace: options.namespace,
    group: options.group,
    cluster: options.cluster,
    listCluster: options.listCluster,
  };
  if (options.apiVersion === 'v1') return new V1Api(http, scope);
  if (options.apiVersion === 'v3') return new V3Api(http, scope);
  const grpc = () =>
    new GrpcApi({
      servers: options.servers,
      portOffset: options.grpcPortOffset,
      tls: options.grpcTls,
      timeoutMs: options.requestTimeoutMs,
      scope,
      http,
      outage,
      logger: options.logger,
    });
  if (options.apiVersion === 'grpc') return grpc();
  return new AutoApi(http, scope, grpc, Math.min(options.requestTimeoutMs, 3000));
}

/** The HTTP side for these options. */
export function httpFor(options: NormalizedOptions): NacosHttp {
  return new NacosHttp({
    servers: options.servers,
    timeoutMs: options.requestTimeoutMs,
    username: options.username,
    password: options.password,
    // gRPC logs in over HTTP, as the official clients do: on either login path.
    apiVersion: options.apiVersion === 'grpc' ? 'auto' : options.apiVersion,
  });
}

/** Detects the API version on first use, then delegates every call to it. */
class AutoApi implements NamingApi {
  readonly #http: NacosHttp;
  readonly #scope: NamingScope;
  readonly #grpc: () => GrpcApi;
  readonly #probeTimeoutMs: number;
  #resolved: NamingApi | undefined;
  #detecting: Promise<NamingApi> | undefined;

  constructor(http: NacosHttp, scope: NamingScope, grpc: () => GrpcApi, probeTimeoutMs: number) {
    this.#http = http;
    this.#scope = scope;
    this.#grpc = grpc;
    this.#probeTimeoutMs = probeTimeoutMs;
  }

  get protocol(): string {
    return this.#resolved?.protocol ?? 'auto';
  }

  async register(spec: InstanceSpec): Promise<void> {
    return (await this.#api()).register(spec);
  }

  async deregister(spec: InstanceSpec): Promise<void> {
    return (await this.#api()).deregister(spec);
  }

  /** The resolved protocol's heartbeat; none before detection or over gRPC (registering resolves it). */
  get heartbeat() {
    return this.#resolved?.heartbeat;
  }

  async list(serviceName: string, signal?: AbortSignal) {
    return (await this.#api()).list(serviceName, signal);
  }

  readonly resolve = (): Promise<NamingApi> => this.#api();

  onServerBack(listener: () => void): void {
    this.#http.onServerBack(listener);
  }

  get connectedTo(): string | undefined {
    return this.#resolved?.connectedTo;
  }

  async close(): Promise<void> {
    const resolved = this.#resolved;
    if (resolved !== undefined && resolved.protocol === 'grpc') await resolved.close();
    await this.#http.close();
  }

  #api(): Promise<NamingApi> {
    if (this.#resolved !== undefined) return Promise.resolve(this.#resolved);
    if (this.#detecting === undefined) {
      this.#detecting = this.#detect().then(
        (api) => {
          this.#resolved = api;
          return api;
        },
        (error: unknown) => {
          this.#detecting = undefined;
          throw error;
        },
      );
    }
    return this.#detecting;
  }

  /**
   * Lists a probe service through the v3 client API. A server that has that API answers in the
   * `{ code, message, data }` envelope; Nacos 2 and other v1 servers answer 404 without it. A v3
   * server that still serves the 1.x Open API (Nacos 3.0.x) gets v1 (below).
   */
  async #detect(): Promise<NamingApi> {
    // gRPC first: the connection it opens is the one it goes on with.
    const grpc = this.#grpc();
    try {
      await grpc.probe(this.#probeTimeoutMs);
      return grpc;
    } catch {
      await grpc.close();
    }
    const op = 'detect the Nacos API version';
    const response = await this.#http.send({
      op,
      method: 'GET',
      path: '/nacos/v3/client/ns/instance/list',
      query: { serviceName: PROBE_SERVICE, groupName: this.#scope.group, namespaceId: this.#scope.namespace },
    });
    if (response.status >= 500) {
      throw new RegistryError(
        'nacos',
        `${op} at ${response.server.origin} failed with HTTP ${response.status}: ${this.#http.redact(response.body.trim())}`,
      );
    }
    const envelope = parseJsonObject(response.body);
    const isV3 = envelope !== undefined && typeof envelope.code === 'number' && 'message' in envelope;
    if (!isV3) return new V1Api(this.#http, this.#scope);
    // Nacos 3.0.3's v3 client API falls short of its 1.x Open API twice: a list without a cluster
    // lists DEFAULT only (no way to ask for every cluster), and in a cluster its writes are not
    // routed to the member responsible for the instance (the Distro filter covers /v1/ns/* only),
    // so an instance registered at another member never reaches the rest. Use the 1.x Open API
    // while the server still serves it; v3 once it does not (Nacos 3.2 removed it).
    if (await this.#servesV1()) return new V1Api(this.#http, this.#scope);
    return new V3Api(this.#http, this.#scope);
  }

  async #servesV1(): Promise<boolean> {
    const response = await this.#http.send({
      op: 'detect the Nacos API version',
      method: 'GET',
      path: '/nacos/v1/ns/instance/list',
      query: { serviceName: PROBE_SERVICE, groupName: this.#scope.group, namespaceId: this.#scope.namespace },
    });
    const answer = response.status === 200 ? parseJsonObject(response.body) : undefined;
    return answer !== undefined && Array.isArray(answer.hosts);
  }
}
