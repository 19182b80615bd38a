import { RegistryError } from '@service-caller/core';
import { describeOp, type InstanceSpec, type NacosHost, type NamingApi, readHost } from './naming-api.js';

/** The instance shape the official client's `registerInstance` and `deregisterInstance` take. */
export interface NacosClientInstance {
  instanceId: string;
  ip: string;
  port: number;
  healthy: boolean;
  enabled: boolean;
  weight?: number;
  ephemeral?: boolean;
  clusterName?: string;
  metadata?: Record<string, string>;
}

/**
 * What the registry uses of an official `NacosNamingClient` (npm package `nacos`, 2.x): the
 * methods it calls, so any compatible client fits.
 */
export interface NacosNamingClientLike {
  /** Resolves once the client is initialised. */
  ready?(): Promise<unknown>;
  registerInstance(serviceName: string, instance: NacosClientInstance, groupName?: string): Promise<unknown>;
  deregisterInstance(
    serviceName: string,
    instance: NacosClientInstance,
    groupName?: string,
  ): Promise<unknown>;
  getAllInstances(
    serviceName: string,
    groupName?: string,
    clusters?: string,
    subscribe?: boolean,
  ): Promise<readonly unknown[] | null | undefined>;
}

/**
 * Naming through an official client the user already runs. It speaks the 1.x HTTP API (which
 * Nacos 2.x serves), keeps ephemeral instances alive with its own heartbeats, and brings its own
 * server list, namespace and credentials. The registry never closes it: it is the user's.
 */
export class OfficialClientApi implements NamingApi {
  readonly protocol = 'nacos npm client';
  readonly heartbeat = undefined;
  readonly #client: NacosNamingClientLike;
  readonly #group: string;
  readonly #cluster: string;
  readonly #listCluster: string | undefined;
  readonly #secrets: readonly string[];
  #ready: Promise<unknown> | undefined;

  constructor(
    client: NacosNamingClientLike,
    scope: { group: string; cluster: string; listCluster: string | undefined },
    secrets: readonly string[],
  ) {
    this.#client = client;
    this.#group = scope.group;
    this.#cluster = scope.cluster;
    this.#listCluster = scope.listCluster;
    this.#secrets = secrets.filter((s) => s.length > 0);
  }

  async register(spec: InstanceSpec): Promise<void> {
    await this.#call(describeOp('register', spec), () =>
      this.#client.registerInstance(spec.serviceName, this.#instance(spec), this.#group),
    );
  }

  async deregister(spec: InstanceSpec): Promise<void> {
    await this.#call(describeOp('deregister', spec), () =>
      this.#client.deregisterInstance(spec.serviceName, this.#instance(spec), this.#group),
    );
  }

  async list(serviceName: string): Promise<readonly NacosHost[]> {
    const hosts = await this.#call(`list the instances of '${serviceName}'`, () =>
      // subscribe=false: straight from the server; the registry keeps its own cache fresh.
      // An empty cluster list asks for every cluster.
      this.#client.getAllInstances(serviceName, this.#group, this.#listCluster ?? '', false),
    );
    const result: NacosHost[] = [];
    for (const entry of hosts ?? []) {
      const host = readHost(entry);
      if (host !== undefined) result.push(host);
    }
    return result;
  }

  async close(): Promise<void> {}

  #instance(spec: InstanceSpec): NacosClientInstance {
    return {
      instanceId: `${spec.ip}#${spec.port}#${this.#cluster}#${this.#group}@@${spec.serviceName}`,
      ip: spec.ip,
      port: spec.port,
      healthy: true,
      enabled: true,
      weight: spec.weight,
      ephemeral: spec.ephemeral,
      clusterName: this.#cluster,
      metadata: { ...spec.metadata },
    };
  }

  async #call<T>(op: string, run: () => Promise<T>): Promise<T> {
    try {
      await this.#whenReady();
      return await run();
    } catch (error) {
      throw new RegistryError('nacos', `${op} through the nacos npm client failed: ${this.#redact(error)}`, {
        cause: error,
      });
    }
  }

  #whenReady(): Promise<unknown> {
    if (typeof this.#client.ready !== 'function') return Promise.resolve();
    this.#ready ??= this.#client.ready().catch((error: unknown) => {
      // A failed start is tried again by the next call.
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  #redact(error: unknown): string {
    let text = error instanceof Error ? error.message : String(error);
    // The npm client puts credentials in query strings; keep any echo of them out of messages.
    text = text.replace(/(password|accessToken|username)=[^&\s]*/gi, '$1=***');
    for (const secret of this.#secrets) text = text.split(secret).join('***');
    return text.length > 300 ? `${text.slice(0, 300)}...` : text;
  }
}
