import { ConfigError } from '@service-caller/core';
import type { ServiceCallerConfig } from './types.js';

/**
 * Which registry the config selects: `nacos` or `consul` when that section is present, else
 * `static` (the embedded registry, fed by `app-registry.static.services`, possibly empty).
 *
 * @throws ConfigError when both `nacos` and `consul` are present (possible only in a config built
 *   by hand: `parseConfig` and `loadConfig` already refuse it).
 */
export function selectedRegistry(config: ServiceCallerConfig): 'nacos' | 'consul' | 'static' {
  const { nacos, consul } = config.appRegistry;
  if (nacos !== undefined && consul !== undefined) {
    throw new ConfigError({
      file: '<config object>',
      keyPath: 'appRegistry',
      expected: 'at most one of nacos and consul',
      found: 'both',
    });
  }
  if (nacos !== undefined) return 'nacos';
  if (consul !== undefined) return 'consul';
  return 'static';
}
