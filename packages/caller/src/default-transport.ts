import { parseConfig } from '@service-caller/config-yaml';
import { type Logger, silentLogger, type Transport } from '@service-caller/core';
import { fetchTransport } from '@service-caller/transport-fetch';
import { undiciTransport } from '@service-caller/transport-undici';

/** What the config says about the transport `create` builds when none is passed in. */
export interface DefaultTransportSettings {
  /** `connection-pool-size`: connections per origin. */
  readonly connections: number;
  /** `connection-timeout`, in milliseconds. */
  readonly connectTimeout: number;
  /** `read-timeout`, in milliseconds. */
  readonly readTimeout: number;
  /** `max-response-size`, in bytes. */
  readonly maxResponseSize: number;
}

/** The transport `create` builds when none is passed in: `undici`, or `fetch` where undici cannot run. */
export type DefaultTransportKind = 'undici' | 'fetch';

/**
 * Which transport this runtime gets by default. Bun answers `import 'undici'` with a partial
 * built-in of its own, whatever is installed: its dispatchers have no `request()` or `close()`,
 * so every call over the undici transport would fail there. Bun's own `fetch` pools connections
 * and is fast, so Bun gets the fetch transport. Everything else (Node, Deno) runs real undici.
 *
 * @param versions `process.versions` of the runtime; Bun sets `bun` in it.
 */
export function defaultTransportKind(
  versions: Readonly<Record<string, string | undefined>> | undefined = globalThis.process?.versions,
): DefaultTransportKind {
  return versions?.bun === undefined ? 'undici' : 'fetch';
}

/**
 * Builds the default transport from the config's settings. The fetch transport has no pool of
 * its own (the runtime's `fetch` owns the connections), so a `connection-pool-size` other than
 * the default is reported once with a warning rather than dropped without a word.
 */
export function defaultTransport(
  settings: DefaultTransportSettings,
  logger: Logger,
  kind: DefaultTransportKind = defaultTransportKind(),
): Transport {
  if (kind === 'undici') return undiciTransport(settings);
  if (settings.connections !== defaultPoolSize()) {
    logger.warn(
      `ServiceManager: service-caller.connection-pool-size (${settings.connections}) is not used on this runtime: the default transport here is fetch, whose connections belong to the runtime's fetch. Pass a transport to choose otherwise.`,
      { connectionPoolSize: settings.connections, transport: 'fetch' },
    );
  }
  const { connectTimeout, readTimeout, maxResponseSize } = settings;
  return fetchTransport({ connectTimeout, readTimeout, maxResponseSize });
}

/** The config's own default, read from config-yaml rather than written here a second time. */
function defaultPoolSize(): number {
  return parseConfig({}, { source: '<defaults>', logger: silentLogger }).serviceCaller.connectionPoolSize;
}
