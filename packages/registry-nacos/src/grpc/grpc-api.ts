import type { Logger } from '@service-caller/core';
import type { NacosHttp } from '../nacos-http.js';
import {
  describeOp,
  type HostSink,
  type InstanceSpec,
  type NacosHost,
  type NamingApi,
  type NamingScope,
  readHosts,
} from '../naming-api.js';
import type { NacosGrpcTls, NacosServer } from '../options.js';
import type { NacosOutage } from '../outage-log.js';
import { NacosGrpcClient } from './grpc-client.js';
import type { GrpcConnection } from './grpc-connection.js';
import type { Payload } from './payload.js';

/** What the gRPC naming API needs. */
export interface GrpcApiOptions {
  readonly servers: readonly NacosServer[];
  readonly portOffset: number;
  readonly tls: NacosGrpcTls | undefined;
  readonly timeoutMs: number;
  readonly scope: NamingScope;
  /** For the login (over HTTP, as the official clients log in) and for redacting messages. */
  readonly http: NacosHttp;
  readonly outage: NacosOutage;
  readonly logger: Logger;
}

/** One subscribed service: where its lists go, and the newest list's time. */
interface Subscription {
  readonly sinks: Set<HostSink>;
  lastRefTime: number;
}

/**
 * The naming API over gRPC (Nacos 2.x and 3.x, r-nacos): an instance lives as long as this
 * client's connection (no heartbeats), and the server pushes each change of a subscribed
 * service's list (`NotifySubscriberRequest`, a full list).
 *
 * One connection holds one registration per service (the server keeps one "publisher" per
 * service and connection): several instances of one service go together in a
 * `BatchInstanceRequest`, and deregistering one of them registers the rest again, as the official
 * clients do. After a reconnection every registration and subscription is redone on the new
 * connection before anything else is sent on it.
 */
export class GrpcApi implements NamingApi {
  readonly protocol = 'grpc';
  readonly #client: NacosGrpcClient;
  readonly #scope: NamingScope;
  readonly #logger: Logger;
  /** Per service: this client's instances, by `ip:port`. */
  readonly #registered = new Map<string, Map<string, InstanceSpec>>();
  readonly #subscriptions = new Map<string, Subscription>();
  /** The server adds a publication to what the connection published before (r-nacos). */
  #additive = false;

  constructor(options: GrpcApiOptions) {
    this.#scope = options.scope;
    this.#logger = options.logger;
    const { http } = options;
    this.#client = new NacosGrpcClient({
      servers: options.servers,
      portOffset: options.portOffset,
      tls: options.tls,
      namespace: options.scope.namespace,
      timeoutMs: options.timeoutMs,
      token: http.authenticates ? () => http.accessToken() : undefined,
      invalidateToken: (token) => http.invalidateToken(token),
      redact: (text) => http.redact(text),
      outage: options.outage,
      logger: options.logger,
      onServerRequest: (request) => this.#onServerRequest(request),
      // The first connection has nothing to redo: what waits for it is sent by its own request.
      onConnected: (connection, reconnection) => (reconnection ? this.#redo(connection) : Promise.resolve()),
    });
  }

  /** The server of the current connection. */
  get connectedTo(): string | undefined {
    return this.#client.address;
  }

  /** Connects once with one turn over the servers: rejects when no gRPC port answers. */
  probe(timeoutMs: number): Promise<void> {
    return this.#client.probe(timeoutMs);
  }

  async register(spec: InstanceSpec): Promise<void> {
    if (!spec.ephemeral) {
      // A persistent instance outlives the connection: the server keeps it, nothing to redo.
      await this.#client.request(describeOp('register', spec), 'PersistentInstanceRequest', {
        ...this.#naming(spec.serviceName),
        type: 'registerInstance',
        instance: this.#instance(spec),
      });
      return;
    }
    let own = this.#registered.get(spec.serviceName);
    if (own === undefined) {
      own = new Map();
      this.#registered.set(spec.serviceName, own);
    }
    own.set(key(spec), spec);
    try {
      await this.#publish(undefined, spec.serviceName, describeOp('register', spec), spec);
    } catch (error) {
      // The caller hears the failure (and retries, with `registration: background`): a later
      // reconnection must not register what the caller was told is not registered.
      if (own.get(key(spec)) === spec) own.delete(key(spec));
      if (own.size === 0 && this.#registered.get(spec.serviceName) === own) {
        this.#registered.delete(spec.serviceName);
      }
      throw error;
    }
  }

  async deregister(spec: InstanceSpec): Promise<void> {
    const op = describeOp('deregister', spec);
    if (!spec.ephemeral) {
      await this.#client.request(op, 'PersistentInstanceRequest', {
        ...this.#naming(spec.serviceName),
        type: 'deregisterInstance',
        instance: this.#instance(spec),
      });
      return;
    }
    const own = this.#registered.get(spec.serviceName);
    own?.delete(key(spec));
    if (own === undefined || own.size === 0) {
      this.#registered.delete(spec.serviceName);
      await this.#publish(undefined, spec.serviceName, op, spec);
      return;
    }
    // The rest of the service's instances, registered again: the official servers replace what
    // this connection published for the service, and so drop `spec` (asynchronously: their list
    // shows it for a moment), without a moment in which the service lists fewer. r-nacos adds to
    // the publication instead, so there `spec` stays listed: then it is deregistered by itself
    // (which the official servers read as the whole publication's end: hence the rest is
    // published once more after it, which r-nacos takes as a no-op).
    // Once a server was seen adding, it is not asked again (each deregistration would wait).
    if (!this.#additive) {
      await this.#publish(undefined, spec.serviceName, op, undefined);
      if (await this.#dropped(spec)) return;
      this.#additive = true;
    }
    await this.#client.request(op, 'InstanceRequest', {
      ...this.#naming(spec.serviceName),
      type: 'deregisterInstance',
      instance: this.#instance(spec),
    });
    await this.#publish(undefined, spec.serviceName, op, undefined);
  }

  /** Whether the list stops showing `spec` within {@link REPLACED_WITHIN_MS}. */
  async #dropped(spec: InstanceSpec): Promise<boolean> {
    const deadline = performance.now() + REPLACED_WITHIN_MS;
    for (;;) {
      const listed = await this.list(spec.serviceName);
      if (!listed.some((h) => h.ip === spec.ip && h.port === spec.port)) return true;
      if (performance.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async list(serviceName: string): Promise<readonly NacosHost[]> {
    const answer = await this.#client.request(
      `list the instances of '${serviceName}'`,
      'ServiceQueryRequest',
      {
        ...this.#naming(serviceName),
        cluster: this.#scope.listCluster ?? '',
        healthyOnly: false,
        udpPort: 0,
      },
    );
    return hostsOf(answer.serviceInfo);
  }

  /** Subscribes to `serviceName`; the server's answer and each push reach `sink`. */
  subscribe(serviceName: string, sink: HostSink): { stop(): void } {
    let subscription = this.#subscriptions.get(serviceName);
    if (subscription === undefined) {
      subscription = { sinks: new Set(), lastRefTime: 0 };
      this.#subscriptions.set(serviceName, subscription);
    }
    subscription.sinks.add(sink);
    const held = subscription;
    // The answer reaches every sink of the service, this one included.
    this.#subscribeOnce(undefined, serviceName).catch((error: unknown) => {
      if (held.sinks.has(sink)) sink.fail(error);
    });
    return {
      stop: () => {
        held.sinks.delete(sink);
        if (held.sinks.size > 0 || this.#subscriptions.get(serviceName) !== held) return;
        this.#subscriptions.delete(serviceName);
        this.#client
          .request(`unsubscribe from '${serviceName}'`, 'SubscribeServiceRequest', {
            ...this.#naming(serviceName),
            clusters: this.#scope.listCluster ?? '',
            subscribe: false,
          })
          .catch(() => {});
      },
    };
  }

  async close(): Promise<void> {
    this.#subscriptions.clear();
    this.#client.close();
  }

  /**
   * Sends what this client holds for `serviceName` now: one instance as `InstanceRequest`,
   * several as `BatchInstanceRequest`, none as the deregistration of `gone`.
   */
  async #publish(
    connection: GrpcConnection | undefined,
    serviceName: string,
    op: string,
    gone: InstanceSpec | undefined,
  ): Promise<void> {
    const own = [...(this.#registered.get(serviceName)?.values() ?? [])];
    let type: string;
    let body: Record<string, unknown>;
    if (own.length === 0) {
      if (gone === undefined) return;
      type = 'InstanceRequest';
      body = { ...this.#naming(serviceName), type: 'deregisterInstance', instance: this.#instance(gone) };
    } else if (own.length === 1) {
      type = 'InstanceRequest';
      body = { ...this.#naming(serviceName), type: 'registerInstance', instance: this.#instance(own[0]!) };
    } else {
      type = 'BatchInstanceRequest';
      body = {
        ...this.#naming(serviceName),
        type: 'batchRegisterInstance',
        instances: own.map((spec) => this.#instance(spec)),
      };
    }
    if (connection === undefined) await this.#client.request(op, type, body);
    else await this.#client.requestOn(connection, op, type, body);
  }

  async #subscribeOnce(connection: GrpcConnection | undefined, serviceName: string): Promise<void> {
    const op = `subscribe to '${serviceName}'`;
    const body = {
      ...this.#naming(serviceName),
      clusters: this.#scope.listCluster ?? '',
      subscribe: true,
    };
    const answer =
      connection === undefined
        ? await this.#client.request(op, 'SubscribeServiceRequest', body)
        : await this.#client.requestOn(connection, op, 'SubscribeServiceRequest', body);
    this.#deliver(serviceName, answer.serviceInfo);
  }

  /** The redo on a new connection: every registration, then every subscription. */
  async #redo(connection: GrpcConnection): Promise<void> {
    await Promise.all(
      [...this.#registered.keys()].map((serviceName) =>
        this.#publish(connection, serviceName, `register '${serviceName}' again`, undefined),
      ),
    );
    await Promise.all(
      [...this.#subscriptions.keys()].map((serviceName) => this.#subscribeOnce(connection, serviceName)),
    );
  }

  #onServerRequest(request: Payload): { type: string; body: Record<string, unknown> } | undefined {
    if (request.type !== 'NotifySubscriberRequest') {
      this.#logger.debug(`[nacos] gRPC: ignoring a server request of type '${request.type}'`);
      return undefined;
    }
    const info = request.body.serviceInfo as Record<string, unknown> | undefined;
    const name = typeof info?.name === 'string' ? info.name : '';
    // Pushes name the service with its group (`DEFAULT_GROUP@@users`) on some servers.
    const serviceName = name.includes('@@') ? name.slice(name.lastIndexOf('@@') + 2) : name;
    const group = typeof info?.groupName === 'string' && info.groupName !== '' ? info.groupName : undefined;
    if (group === undefined || group === this.#scope.group) this.#deliver(serviceName, info);
    return { type: 'NotifySubscriberResponse', body: {} };
  }

  /** Hands a list to the service's sinks, unless it is older than the one they have. */
  #deliver(serviceName: string, info: unknown): void {
    const subscription = this.#subscriptions.get(serviceName);
    if (subscription === undefined || typeof info !== 'object' || info === null) return;
    const lastRefTime = Number((info as { lastRefTime?: unknown }).lastRefTime);
    if (Number.isFinite(lastRefTime) && lastRefTime > 0) {
      if (lastRefTime < subscription.lastRefTime) {
        this.#logger.debug(`[nacos] gRPC: ignoring a list of '${serviceName}' older than the one held`);
        return;
      }
      subscription.lastRefTime = lastRefTime;
    }
    const hosts = hostsOf(info);
    for (const sink of [...subscription.sinks]) sink.update(hosts);
  }

  #naming(serviceName: string): Record<string, unknown> {
    return {
      headers: {},
      requestId: '',
      module: 'naming',
      namespace: this.#scope.namespace,
      serviceName,
      groupName: this.#scope.group,
    };
  }

  #instance(spec: InstanceSpec): Record<string, unknown> {
    return {
      instanceId: '',
      ip: spec.ip,
      port: spec.port,
      weight: spec.weight,
      healthy: true,
      enabled: true,
      ephemeral: spec.ephemeral,
      clusterName: this.#scope.cluster,
      serviceName: spec.serviceName,
      metadata: spec.metadata,
    };
  }
}

/** How long an official server may take to show a replaced publication in its list. */
const REPLACED_WITHIN_MS = 1000;

function key(spec: InstanceSpec): string {
  return `${spec.ip}:${spec.port}`;
}

function hostsOf(info: unknown): NacosHost[] {
  const hosts = typeof info === 'object' && info !== null ? (info as { hosts?: unknown }).hosts : undefined;
  return Array.isArray(hosts) ? readHosts(hosts) : [];
}
