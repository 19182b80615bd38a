import { type ServiceInstance, ServiceManager } from '@service-caller/caller';
import { type ConfigFlags, loadCliConfig, withoutSelfRegistration } from '../cli-config.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { stderrLogger } from '../stderr-logger.js';
import { textTable } from '../text-table.js';

/** Flags of `service-caller instances`. */
export interface InstancesFlags extends ConfigFlags {
  /** Print JSON instead of a table. @default false */
  json?: boolean;
}

/** One instance as `instances --json` prints it. */
export interface InstanceJson {
  id: string;
  host: string;
  port: number;
  weight: number;
  healthy: boolean;
  secure: boolean;
  metadata: Record<string, string>;
}

/** What `instances --json` prints. */
export interface InstancesJson {
  service: string;
  /** `static`, `nacos`, `consul`. */
  registry: string;
  instances: InstanceJson[];
}

/**
 * `service-caller instances <service>`: the instances discovery sees for `service`, healthy or
 * not, as a table or JSON on stdout. Exit 1 when there are none (the JSON is printed anyway);
 * errors (config, registry) are thrown to the caller, which maps them to exit codes.
 */
export async function instancesCommand(
  service: string,
  flags: InstancesFlags,
  io: CliIo,
): Promise<ExitCodeValue> {
  const { config } = await loadCliConfig(flags, io);
  await using manager = await ServiceManager.create({
    config: withoutSelfRegistration(config),
    logger: stderrLogger(io.stderr),
  });
  const registry = manager.registry.name;
  const instances = (await manager.registry.getInstances(service)).map(toJson);

  if (flags.json === true) {
    const out: InstancesJson = { service, registry, instances };
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else if (instances.length > 0) {
    const rows = instances.map((i) => [
      i.host,
      String(i.port),
      String(i.weight),
      i.healthy ? 'yes' : 'no',
      Object.entries(i.metadata)
        .map(([key, value]) => `${key}=${value}`)
        .join(', '),
    ]);
    io.stdout.write(
      `${textTable(['host', 'port', 'weight', 'healthy', 'metadata'], rows, ['left', 'right', 'right', 'left', 'left'])}\n`,
    );
  }
  if (instances.length === 0) {
    io.stderr.write(`service-caller: no instances of '${service}' in the ${registry} registry\n`);
    return ExitCode.failed;
  }
  return ExitCode.ok;
}

function toJson(instance: ServiceInstance): InstanceJson {
  return {
    id: instance.id,
    host: instance.host,
    port: instance.port,
    weight: instance.weight,
    healthy: instance.healthy,
    secure: instance.secure === true,
    metadata: { ...instance.metadata },
  };
}
