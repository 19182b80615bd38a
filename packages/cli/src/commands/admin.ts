import { startAdminServer } from '@service-caller/admin';
import { redactConfig, ServiceManager } from '@service-caller/caller';
import { selectedRegistry } from '@service-caller/config-yaml';
import { type ConfigFlags, loadCliConfig, withoutSelfRegistration } from '../cli-config.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { stderrLogger } from '../stderr-logger.js';
import { toYamlKeys } from '../yaml-keys.js';

/** Flags of `service-caller admin`. */
export interface AdminFlags extends ConfigFlags {
  /** The address to listen on; only loopback unless `allowRemote`. @default '127.0.0.1' */
  host?: string;
  /** The port; 0 picks a free one. @default 9901 (Envoy's admin port) */
  port?: number;
  /** Listen on a non-loopback address (the page has no authentication). @default false */
  allowRemote?: boolean;
  /** Seconds between the page's refreshes. @default 5 */
  refresh?: number;
}

/** The admin port without `--port`: Envoy's, so the page is where people look for one. */
export const DEFAULT_ADMIN_PORT = 9901;

/** Resolves on the first SIGINT or SIGTERM, and stops listening for them. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/**
 * `service-caller admin [services...]`: builds a ServiceManager from the config folder (never
 * registering itself), serves the admin page for it, prints the URL on stdout and runs until
 * SIGINT or SIGTERM (or `until` settles), then closes the server and the manager; exit 0.
 *
 * The page shows `services` as discovery sees them (default: the static registry's services);
 * a process of its own makes no calls, so the engine's figures (latency, errors, ejections) stay
 * empty here: they show when the handler is mounted in the service that makes the calls.
 */
export async function adminCommand(
  services: readonly string[],
  flags: AdminFlags,
  io: CliIo,
  until?: Promise<unknown>,
): Promise<ExitCodeValue> {
  const loaded = await loadCliConfig(flags, io);
  const registry = selectedRegistry(loaded.config);
  const named =
    services.length > 0 ? services : Object.keys(loaded.config.appRegistry.static?.services ?? {});
  await using manager = await ServiceManager.create({
    config: withoutSelfRegistration(loaded.config),
    logger: stderrLogger(io.stderr),
  });
  await using admin = await startAdminServer({
    source: manager,
    host: flags.host ?? '127.0.0.1',
    port: flags.port ?? DEFAULT_ADMIN_PORT,
    allowRemote: flags.allowRemote === true,
    services: named,
    title: `service-caller (${registry})`,
    ...(flags.refresh === undefined ? {} : { refreshSeconds: flags.refresh }),
    // What `service-caller config --json` prints; the admin page masks it once more.
    config: {
      files: loaded.files,
      profile: loaded.profile ?? null,
      registry,
      config: toYamlKeys(redactConfig(loaded.config)),
    },
  });
  io.stdout.write(`service-caller admin: ${admin.url} (Ctrl-C to stop)\n`);
  if (named.length === 0) {
    io.stderr.write(
      `service-caller: no services named: the page lists none until you name them (service-caller admin <service>...)\n`,
    );
  }
  // Signals are taken over only now: until the page is up, Ctrl-C ends the process as usual.
  await (until ?? untilSignal());
  return ExitCode.ok;
}
