import { createHash } from 'node:crypto';
import { RegistryError } from '@service-caller/core';
import type { NacosHttp } from '../nacos-http.js';
import { type AccessKeyPair, configSignHeaders } from './signing.js';

/** Which documents: one namespace (tenant) and group. */
export interface ConfigScope {
  /** The namespace id as the v1 API wants it: `''` for the public namespace. */
  readonly tenant: string;
  readonly group: string;
}

/** One watched document: its data id and the MD5 of the content last seen (`''` for none). */
export interface ListenedConfig {
  readonly dataId: string;
  readonly md5: string;
}

/** The MD5 Nacos keeps for a content (hex, of its UTF-8 bytes); `''` for no content. */
export function contentMd5(content: string | undefined): string {
  return content === undefined ? '' : createHash('md5').update(content, 'utf8').digest('hex');
}

const FIELD = '\u0002';
const LINE = '\u0001';

/**
 * The Nacos HTTP v1 config API, as the official clients use it: `GET /nacos/v1/cs/configs` for
 * a document and the long-poll listener `POST /nacos/v1/cs/configs/listener`. Served by Nacos
 * 1.x and 2.x, by r-nacos, and by Nacos 3.x while `nacos.core.api.compatibility.client.enabled`
 * is on (its default).
 */
export class NacosConfigApi {
  readonly #http: NacosHttp;
  readonly #scope: ConfigScope;
  readonly #keys: AccessKeyPair | undefined;
  readonly #now: () => number;

  constructor(
    http: NacosHttp,
    scope: ConfigScope,
    keys: AccessKeyPair | undefined,
    now: () => number = Date.now,
  ) {
    this.#http = http;
    this.#scope = scope;
    this.#keys = keys;
    this.#now = now;
  }

  /** The content of `dataId`, or `undefined` when Nacos holds no such document (HTTP 404). */
  async get(dataId: string, signal?: AbortSignal): Promise<string | undefined> {
    const { tenant, group } = this.#scope;
    const op = `fetch config '${dataId}' (group ${group}${tenant === '' ? '' : `, namespace ${tenant}`})`;
    const response = await this.#http.send({
      op,
      method: 'GET',
      path: '/nacos/v1/cs/configs',
      query: { dataId, group, ...(tenant === '' ? {} : { tenant }) },
      headers: this.#sign(group),
      signal,
    });
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw this.#http.failure(op, response);
    return response.body;
  }

  /**
   * Long-polls the listener: resolves, as soon as the server sees one, with the data ids whose
   * content no longer has the MD5 given, or with `[]` when `holdMs` passed without a change.
   */
  async listen(configs: readonly ListenedConfig[], holdMs: number, signal: AbortSignal): Promise<string[]> {
    const { tenant, group } = this.#scope;
    const entries = configs
      .map(({ dataId, md5 }) => [dataId, group, md5, ...(tenant === '' ? [] : [tenant])].join(FIELD) + LINE)
      .join('');
    const op = `watch config ${configs.map((c) => `'${c.dataId}'`).join(', ')}`;
    const response = await this.#http.send({
      op,
      method: 'POST',
      path: '/nacos/v1/cs/configs/listener',
      form: { 'Listening-Configs': entries },
      // The server holds the request up to this long; the client waits a little longer.
      headers: { 'Long-Pulling-Timeout': String(holdMs), ...this.#sign(undefined) },
      timeoutMs: holdMs + 15_000,
      signal,
    });
    if (response.status !== 200) throw this.#http.failure(op, response);
    return parseChanged(response.body, this.#scope);
  }

  #sign(group: string | undefined): Record<string, string> | undefined {
    if (this.#keys === undefined) return undefined;
    return configSignHeaders(this.#keys, { tenant: this.#scope.tenant, group }, this.#now());
  }
}

/** The listener's answer: `dataId%02group%02tenant%01...`, URL-encoded once. */
export function parseChanged(body: string, scope: ConfigScope): string[] {
  const text = body.trim();
  if (text === '') return [];
  let decoded: string;
  try {
    decoded = decodeURIComponent(text);
  } catch (cause) {
    throw new RegistryError('nacos', `the config listener answered something that is not a change list`, {
      cause,
    });
  }
  const changed: string[] = [];
  for (const line of decoded.split(LINE)) {
    if (line === '') continue;
    const [dataId, group, tenant = ''] = line.split(FIELD);
    if (dataId !== undefined && group === scope.group && tenant === scope.tenant) changed.push(dataId);
  }
  return changed;
}
