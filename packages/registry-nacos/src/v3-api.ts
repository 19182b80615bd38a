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

/** Result codes of the v3 envelope `{ code, message, data }` that mean "no such instance/service". */
const NOT_FOUND_CODES = new Set([20004, 20404, 21003, 21008]);

/**
 * The Nacos 3.x client API (`/nacos/v3/client/ns/...`). Answers come in the `{ code, message,
 * data }` envelope, `code` 0 meaning success. A heartbeat is the register request with
 * `heartBeat=true`; for an instance the server lost it answers "instance not found", and the
 * registry registers it again.
 */
export class V3Api implements NamingApi {
  readonly protocol = 'v3';
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
      path: '/nacos/v3/client/ns/instance',
      query: registrationQuery(spec, this.#scope),
    });
    this.#result(op, response);
  }

  async deregister(spec: InstanceSpec): Promise<void> {
    const op = describeOp('deregister', spec);
    const response = await this.#http.send({
      op,
      method: 'DELETE',
      path: '/nacos/v3/client/ns/instance',
      query: instanceQuery(spec, this.#scope),
    });
    const { code } = this.#envelope(op, response);
    // Deregistering what the server does not know is a success: the instance is gone either way.
    if (code !== 0 && !NOT_FOUND_CODES.has(code)) this.#fail(op, response);
  }

  readonly heartbeat = async (spec: InstanceSpec): Promise<BeatOutcome> => {
    const op = describeOp('send a heartbeat for', spec);
    const response = await this.#http.send({
      op,
      method: 'POST',
      path: '/nacos/v3/client/ns/instance',
      query: { ...registrationQuery(spec, this.#scope), heartBeat: 'true' },
    });
    const { code } = this.#envelope(op, response);
    if (NOT_FOUND_CODES.has(code)) return { known: false };
    if (code !== 0) this.#fail(op, response);
    return { known: true };
  };

  async list(serviceName: string, signal?: AbortSignal): Promise<readonly NacosHost[]> {
    const op = `list the instances of '${serviceName}'`;
    const response = await this.#http.send({
      op,
      method: 'GET',
      path: '/nacos/v3/client/ns/instance/list',
      query: {
        serviceName,
        groupName: this.#scope.group,
        namespaceId: this.#scope.namespace,
        ...(this.#scope.listCluster === undefined ? {} : { clusterName: this.#scope.listCluster }),
        healthyOnly: 'false',
      },
      signal,
    });
    const { code, data } = this.#envelope(op, response);
    if (NOT_FOUND_CODES.has(code)) return [];
    if (code !== 0) this.#fail(op, response);
    // `data` is the instance list; some versions wrap it as `{ hosts: [...] }`.
    const entries = Array.isArray(data)
      ? data
      : typeof data === 'object' && data !== null && Array.isArray((data as { hosts?: unknown }).hosts)
        ? (data as { hosts: unknown[] }).hosts
        : data === null || data === undefined
          ? []
          : undefined;
    if (entries === undefined) this.#fail(op, response);
    return readHosts(entries as unknown[]);
  }

  async close(): Promise<void> {
    await this.#http.close();
  }

  /** The `{ code, data }` of the answer; any answer without the envelope fails. */
  #envelope(op: string, response: NacosResponse): { code: number; data: unknown } {
    const answer = parseJsonObject(response.body);
    const code = Number(answer?.code);
    if (answer === undefined || !Number.isInteger(code)) this.#fail(op, response);
    return { code, data: answer.data };
  }

  #result(op: string, response: NacosResponse): void {
    if (this.#envelope(op, response).code !== 0) this.#fail(op, response);
  }

  #fail(op: string, response: NacosResponse): never {
    throw this.#http.failure(op, response);
  }
}
