import { ConfigError } from '@service-caller/core';
import { ONE_REGISTRY, REGISTRY_SECTIONS } from './schema.js';
import type { ServiceCallerConfig } from './types.js';

/**
 * Which registry the config selects: the one of `nacos`, `consul` and `static` that is present,
 * else `static` (the embedded registry, empty).
 *
 * @throws ConfigError when more than one section is present (possible only in a config built by
 *   hand: `parseConfig` and `loadConfig` already refuse it).
 */
export function selectedRegistry(config: ServiceCallerConfig): 'nacos' | 'consul' | 'static' {
  const present = REGISTRY_SECTIONS.filter((key) => config.appRegistry[key] !== undefined);
  if (present.length > 1) {
    throw new ConfigError({
      file: '<config object>',
      keyPath: 'appRegistry',
      expected: ONE_REGISTRY,
      found: present.join(' and '),
    });
  }
  const { nacos, consul } = config.appRegistry;
  if (nacos !== undefined) return 'nacos';
  if (consul !== undefined) return 'consul';
  return 'static';
}
