import type { NacosHost } from '../src/naming-api.js';

/*
 * Fixtures for the unit tests (no server): a host as the naming API lists it, and the recording logger.
 * support.ts holds what the integration tests share.
 */

/** A healthy, enabled host on 10.0.0.1 with weight 1, as the naming API lists it. */
export const nacosHost = (port: number, extra: Partial<NacosHost> = {}): NacosHost => ({
  ip: '10.0.0.1',
  port,
  weight: 1,
  healthy: true,
  enabled: true,
  metadata: {},
  ...extra,
});

export { recordingLogger } from './support.js';
