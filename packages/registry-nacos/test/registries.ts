import type { ServiceRegistry } from '@service-caller/core';
import { afterEach } from 'vitest';
import { type NacosRegistryOptions, nacosRegistry } from '../src/index.js';
import { NACOS_ADDR, recordingLogger } from './support.js';

/*
 * Helpers that register vitest hooks. Apart from support.ts, which the child services the tests
 * start (ts-service.ts) import too: vitest cannot be loaded outside its runner.
 */

/**
 * Opens registries on the shared Nacos (`NACOS_ADDR`, a quiet recording logger, then `defaults`,
 * then the call's options) and closes every one after its test. Call it in a describe block.
 */
export function registriesClosedAfterEach(
  defaults: Partial<NacosRegistryOptions>,
): (options?: Partial<NacosRegistryOptions>) => ServiceRegistry {
  const opened: ServiceRegistry[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((registry) => registry.close()));
  });
  return (options = {}) => {
    const registry = nacosRegistry({
      serverAddr: NACOS_ADDR,
      logger: recordingLogger().logger,
      ...defaults,
      ...options,
    });
    opened.push(registry);
    return registry;
  };
}
