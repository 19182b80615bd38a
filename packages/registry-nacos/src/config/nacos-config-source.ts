import type { ConfigDocument, ConfigSource, Logger } from '@service-caller/core';
import { ConfigError, consoleLogger } from '@service-caller/core';
import { NacosHttp } from '../nacos-http.js';
import { parseServerAddr } from '../options.js';
import { contentMd5, NacosConfigApi } from './config-api.js';

/**
 * Options of {@link nacosConfigSource}: the `config-sources.nacos` section, camelCase, as
 * `@service-caller/config-yaml` validates it. The keys the loader acts on itself (`autoRefresh`,
 * `startTimeout`, `cacheDir`) are accepted so the section can be passed whole.
 */
export interface NacosConfigSourceOptions {
  /** `host:port`, or several separated by commas; no scheme (see `secure`). */
  serverAddr: string;
  /** Namespace id of the imports. @default 'public' */
  namespace?: string;
  /** Group of the imports. @default 'DEFAULT_GROUP' */
  group?: string;
  /** User to log in as; with `password`, requests carry an access token (renewed before it expires). */
  username?: string;
  /** Secret: sent only in the body of the login request. */
  password?: string;
  /** With `secretKey`, every request is signed as the official clients sign config requests. */
  accessKey?: string;
  /** Secret: only ever an HMAC key. */
  secretKey?: string;
  /** The YAML data ids, in merge order (later wins). */
  imports: readonly { readonly dataId: string }[];
  /** Talk to Nacos over https. @default false */
  secure?: boolean;
  /** Time limit of one fetch, in milliseconds. @default 5000 */
  requestTimeout?: number;
  /** How long the server may hold one watch request, in milliseconds. @default 30000 */
  longPollTimeout?: number;
  /** Read by the loader, not here. */
  autoRefresh?: boolean;
  /** Read by the loader, not here. */
  startTimeout?: number;
  /** Read by the loader, not here. */
  cacheDir?: string;
  /** Where warnings go (a data id Nacos does not hold). @default console, warnings and errors only */
  logger?: Logger;
}

const FILE = '<nacosConfigSource options>';
const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 2_000;
const WATCH_RETRY_MAX_MS = 10_000;

/**
 * A `ConfigSource` for the Nacos config centre over the HTTP v1 config API (Nacos 1.x/2.x,
 * r-nacos, Nacos 3.x with its client API compatibility on, the default): `load` fetches every
 * import, retrying while Nacos cannot be reached until the caller's signal aborts; `watch`
 * long-polls the listener and fetches what changed, so a change arrives as soon as the server
 * reports it. Logs in with `username`/`password` (token renewed before it expires) and signs
 * requests with `accessKey`/`secretKey` as the official clients do.
 *
 * @example
 * ```ts
 * const { merged } = await loadConfig({ dir: './config', configSources: { nacos: nacosConfigSource } });
 * ```
 */
export function nacosConfigSource(options: NacosConfigSourceOptions): ConfigSource {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError({ file: FILE, keyPath: '', expected: 'an options object', found: typeof options });
  }
  if (!Array.isArray(options.imports) || !options.imports.every((item) => typeof item?.dataId === 'string')) {
    throw new ConfigError({
      file: FILE,
      keyPath: 'imports',
      expected: 'a list of { dataId }',
      found: 'something else',
    });
  }
  const namespace = options.namespace ?? 'public';
  const group = options.group ?? 'DEFAULT_GROUP';
  const logger = options.logger ?? consoleLogger('warn');
  const hasPassword = options.password !== undefined && options.password !== '';
  const http = new NacosHttp({
    servers: parseServerAddr(options.serverAddr, options.secure === true),
    timeoutMs: options.requestTimeout ?? 5_000,
    username: hasPassword ? options.username : undefined,
    password: hasPassword ? options.password : undefined,
    apiVersion: 'auto',
  });
  // The v1 API names the public namespace ''; Nacos 3 reads `tenant=public` as another namespace.
  const tenant = namespace === 'public' ? '' : namespace;
  const keys =
    options.accessKey !== undefined && options.secretKey !== undefined
      ? { accessKey: options.accessKey, secretKey: options.secretKey }
      : undefined;
  const api = new NacosConfigApi(http, { tenant, group }, keys);
  const dataIds = options.imports.map((item) => item.dataId);
  const holdMs = options.longPollTimeout ?? 30_000;
  const nameOf = (dataId: string) => `nacos:${namespace}/${group}/${dataId}`;
  // The content last seen of each data id: what `watch` compares with.
  const contents = new Map<string, string | undefined>();
  const documents = (): ConfigDocument[] =>
    dataIds.map((id) => ({ name: nameOf(id), text: contents.get(id) }));
  const lifetime = new AbortController();
  let watching: Promise<void> | undefined;
  let closed = false;

  const fetchOne = async (dataId: string, signal: AbortSignal): Promise<void> => {
    for (let delay = RETRY_FIRST_MS; ; delay = Math.min(delay * 2, RETRY_MAX_MS)) {
      try {
        const text = await api.get(dataId, signal);
        if (text === undefined && (!contents.has(dataId) || contents.get(dataId) !== undefined)) {
          logger.warn(
            `Nacos holds no config '${dataId}' (namespace ${namespace}, group ${group}): it adds nothing until it is published`,
            { dataId, namespace, group },
          );
        }
        contents.set(dataId, text);
        return;
      } catch (error) {
        if (signal.aborted) throw error;
        // Nacos down or starting: try again until the caller's deadline.
        await sleep(delay, signal).catch(() => {
          throw error;
        });
      }
    }
  };

  const watchLoop = async (
    onChange: (documents: readonly ConfigDocument[]) => void,
    onError: (error: unknown) => void,
  ): Promise<void> => {
    const signal = lifetime.signal;
    let failures = 0;
    while (!signal.aborted) {
      try {
        const listened = dataIds.map((dataId) => ({ dataId, md5: contentMd5(contents.get(dataId)) }));
        const changed = await api.listen(listened, holdMs, signal);
        failures = 0;
        let any = false;
        for (const dataId of new Set(changed)) {
          if (!dataIds.includes(dataId)) continue;
          const before = contents.get(dataId);
          await fetchOne(dataId, signal);
          if (contents.get(dataId) !== before) any = true;
        }
        if (any && !signal.aborted) onChange(documents());
      } catch (error) {
        if (signal.aborted) return;
        failures++;
        onError(error);
        await sleep(Math.min(RETRY_FIRST_MS * 2 ** failures, WATCH_RETRY_MAX_MS), signal).catch(() => {});
      }
    }
  };

  return {
    kind: 'nacos',
    async load(signal) {
      const combined = signal === undefined ? lifetime.signal : AbortSignal.any([signal, lifetime.signal]);
      await Promise.all(dataIds.map((dataId) => fetchOne(dataId, combined)));
      return documents();
    },
    watch(onChange, onError) {
      if (closed) throw new Error('nacosConfigSource: watch() after close()');
      if (watching !== undefined) throw new Error('nacosConfigSource: watch() is already running');
      watching = watchLoop(onChange, onError);
      return () => lifetime.abort();
    },
    async close() {
      if (closed) return;
      closed = true;
      lifetime.abort();
      await watching;
      await http.close();
    },
  } satisfies ConfigSource;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
