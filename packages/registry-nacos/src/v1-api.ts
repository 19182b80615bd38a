import { RegistryError } from '@service-caller/core';
import type { NacosHttp, NacosResponse } from './nacos-http.js';
import {
  type BeatOutcome,
  describeOp,
  type InstanceSpec,
  instanceQuery,
  type NacosHost,
  type NamingApi,
  type NamingScope,
  parseJsonObject,
  readHosts,
  registrationQuery,
} from './naming-api.js';

/** The beat answer's code for an instance the server does not know. */
const RESOURCE_NOT_FOUND = 20404;

/**
 * The Nacos 1.x/2.x Open API (`/nacos/v1/ns/...`), which Nacos 2 serves next to gRPC. Ephemeral
 * instances are kept alive by `PUT /nacos/v1/ns/instance/beat`; each beat carries the full
 * instance, so a restarted server that lost it re-creates it from the beat alone.
 */
export class V1Api implements NamingApi {
  readonly protocol = 'v1';
  readonly #http: NacosHttp;
  readonly #scope: NamingScope;

  constructor(http: NacosHttp, scope: NamingScope) {
    this.#http = http;
    this.#scope = scope;
  }

  onServerBack(listener: () => void): void {
    this.#http.onServerBack(listener);
  }

  async register(spec: InstanceSpec): Promise<void> {
    const op = describeOp('register', spec);
    const response = await this.#http.send({
      op,
      method: 'POST',
      path: '/nacos/v1/ns/instance',
      query: registrationQuery(spec, this.#scope),
    });
    this.#expectOk(op, response);
  }

  async deregister(spec: InstanceSpec): Promise<void> {
    const op = describeOp('deregister', spec);
    const response = await this.#http.send({
      op,
      method: 'DELETE',
      path: '/nacos/v1/ns/instance',
      query: instanceQuery(spec, this.#scope),
    });
    this.#expectOk(op, response);
  }

  readonly heartbeat = async (spec: InstanceSpec): Promise<BeatOutcome> => {
    const op = describeOp('send a heartbeat for', spec);
    const grouped = `${this.#scope.group}@@${spec.serviceName}`;
    const beat = {
      serviceName: grouped,
      ip: spec.ip,
      port: spec.port,
      cluster: this.#scope.cluster,
      weight: spec.weight,
      metadata: spec.metadata,
      scheduled: true,
      stopped: false,
    };
    const response = await this.#http.send({
      op,
      method: 'PUT',
      path: '/nacos/v1/ns/instance/beat',
      query: { ...instanceQuery(spec, this.#scope), serviceName: grouped, beat: JSON.stringify(beat) },
    });
    if (response.status === 404) return { known: false };
    this.#expectOk(op, response);
    const answer = parseJsonObject(response.body);
    const code = Number(answer?.code);
    const interval = Number(answer?.clientBeatInterval);
    return {
      known: code !== RESOURCE_NOT_FOUND,
      intervalMs: Number.isFinite(interval) && interval > 0 ? interval : undefined,
    };
  };

  async list(serviceName: string, signal?: AbortSignal): Promise<readonly NacosHost[]> {
    const op = `list the instances of '${serviceName}'`;
    const response = await this.#http.send({
      op,
      method: 'GET',
      path: '/nacos/v1/ns/instance/list',
      query: {
        serviceName,
        groupName: this.#scope.group,
        namespaceId: this.#scope.namespace,
        ...(this.#scope.listCluster === undefined ? {} : { clusters: this.#scope.listCluster }),
        healthyOnly: 'false',
      },
      signal,
    });
    this.#expectOk(op, response);
    const answer = parseJsonObject(response.body);
    if (answer === undefined || (answer.hosts !== undefined && !Array.isArray(answer.hosts))) {
      throw new RegistryError(
        'nacos',
        `${op} at ${response.server.origin} failed: unexpected answer ${this.#http.redact(response.body)}`,
      );
    }
    return readHosts((answer.hosts as unknown[] | undefined) ?? []);
  }

  async close(): Promise<void> {
    await this.#http.close();
  }

  #expectOk(op: string, response: NacosResponse): void {
    if (response.status !== 200) throw this.#http.failure(op, response);
  }
}
