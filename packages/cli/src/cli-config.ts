import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createLoadBalancer, type ServiceCallerConfig } from '@service-caller/caller';
import { type LoadedConfig, loadConfig } from '@service-caller/config-yaml';
import type { CliIo } from './io.js';
import { stderrLogger } from './stderr-logger.js';

/** The `--config` and `--profile` flags every command takes. */
export interface ConfigFlags {
  /** The folder holding application.yaml. @default ./config when it exists, else the current directory */
  config?: string;
  /** The profile whose application-{profile}.yaml is merged in. @default APP_PROFILE, else none */
  profile?: string;
}

/**
 * The folder `--config` names, resolved against the working directory; without the flag,
 * `./config` when it is a folder (where services keep their files), else the working directory.
 */
export function configDirectory(flags: ConfigFlags, cwd: string): string {
  if (flags.config !== undefined) return resolve(cwd, flags.config);
  const conventional = join(cwd, 'config');
  try {
    if (statSync(conventional).isDirectory()) return conventional;
  } catch {
    // No ./config: the working directory it is.
  }
  return cwd;
}

/**
 * Loads and validates the config the way a service would (`application.yaml` + the profile's
 * file, `${VAR}` expanded, and `lb-type` checked against the balancers known, as
 * `ServiceManager.create` checks it). Loader warnings go to stderr. Throws `ConfigError`.
 */
export async function loadCliConfig(flags: ConfigFlags, io: CliIo): Promise<LoadedConfig> {
  const loaded = await loadConfig({
    dir: configDirectory(flags, io.cwd),
    env: { ...io.env },
    logger: stderrLogger(io.stderr),
    ...(flags.profile === undefined ? {} : { profile: flags.profile }),
  });
  createLoadBalancer(loaded.config.serviceCaller.lbType, {
    file: loaded.files.join(' + '),
    keyPath: 'service-caller.lb-type',
  });
  return loaded;
}

/**
 * The config without this service's own identity (`app-name`, `ip`, `port` / `service-port`):
 * the CLI looks at a service's registry, it must never register itself as that service.
 */
export function withoutSelfRegistration(config: ServiceCallerConfig): ServiceCallerConfig {
  const { nacos, consul } = config.appRegistry;
  const appRegistry = { ...config.appRegistry };
  if (nacos !== undefined) {
    const { appName: _name, ip: _ip, port: _port, ...rest } = nacos;
    appRegistry.nacos = rest;
  }
  if (consul !== undefined) {
    const { appName: _name, ip: _ip, servicePort: _port, ...rest } = consul;
    appRegistry.consul = rest;
  }
  return { ...config, appRegistry };
}
