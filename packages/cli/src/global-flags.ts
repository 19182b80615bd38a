import type { ConfigFlags } from './cli-config.js';
import { UsageError } from './usage-error.js';

const CONFIG_FLAG_NAMES = { config: '--config', profile: '--profile' } as const;

/**
 * The `--config` / `--profile` a command runs with: given before the command
 * (`service-caller --config ./config call ...`) or after it (`service-caller call ... --config
 * ./config`), or both when they agree. Two different values are a usage error rather than one
 * silently winning: the user meant one of them, and only they know which.
 */
export function mergeConfigFlags<T extends ConfigFlags>(beforeCommand: ConfigFlags, command: T): T {
  const merged = { ...command };
  for (const key of ['config', 'profile'] as const) {
    const before = beforeCommand[key];
    const after = command[key];
    if (before === undefined) continue;
    if (after !== undefined && after !== before) {
      throw new UsageError(
        `${CONFIG_FLAG_NAMES[key]} is given twice, '${before}' before the command and '${after}' after it: give it once`,
      );
    }
    merged[key] = before;
  }
  return merged;
}
