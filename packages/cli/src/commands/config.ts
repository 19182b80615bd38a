import { redactConfig } from '@service-caller/caller';
import { selectedRegistry } from '@service-caller/config-yaml';
import { stringify } from 'yaml';
import { type ConfigFlags, loadCliConfig } from '../cli-config.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { toYamlKeys } from '../yaml-keys.js';

/** Flags of `service-caller config`. */
export interface ConfigCommandFlags extends ConfigFlags {
  /** Print JSON instead of YAML. @default false */
  json?: boolean;
}

/** What `config --json` prints. */
export interface ConfigJson {
  /** The files read, absolute, in merge order. */
  files: string[];
  /** The profile used, or null for none. */
  profile: string | null;
  /** The registry the config selects: `static`, `nacos`, `consul`. */
  registry: string;
  /** The effective config with YAML key names, defaults filled in, secrets as `***`. */
  config: unknown;
}

/**
 * `service-caller config`: the effective configuration after merging the profile's file,
 * expanding `${VAR}` and applying defaults, with every secret shown as `***`. YAML (with a
 * comment naming the files) or JSON on stdout.
 */
export async function configCommand(flags: ConfigCommandFlags, io: CliIo): Promise<ExitCodeValue> {
  const loaded = await loadCliConfig(flags, io);
  const registry = selectedRegistry(loaded.config);
  const config = toYamlKeys(redactConfig(loaded.config));
  if (flags.json === true) {
    const out: ConfigJson = { files: loaded.files, profile: loaded.profile ?? null, registry, config };
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    const profile = loaded.profile === undefined ? 'no profile' : `profile ${loaded.profile}`;
    io.stdout.write(
      `# ${loaded.files.join(' + ')} (${profile}); registry: ${registry}; secrets shown as ***\n${stringify(config)}`,
    );
  }
  return ExitCode.ok;
}
