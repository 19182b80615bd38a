import type { Logger } from '@service-caller/core';
import { waitFor } from '@service-caller/testkit';
import { describe, expect, it } from 'vitest';
import { NacosRegistry } from '../src/nacos-registry.js';
import type { BeatOutcome, InstanceSpec, NacosHost, NamingApi } from '../src/naming-api.js';
import { normalizeOptions } from '../src/options.js';

const host = (port: number): NacosHost => ({
  ip: '10.0.0.1',
  port,
  weight: 1,
  healthy: true,
  enabled: true,
  metadata: {},
});

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * A scripted naming API (the protocol seam, not a server): its heartbeats fail as `beatFailures`
 * says, its lists answer `hosts`. The real-server side of #17 is in outage.int.test.ts.
 */
function scriptedApi(state: {
  hosts: NacosHost[];
  beatFailures: number;
  beats: number;
  down?: boolean;
}): NamingApi {
  return {
    protocol: 'v1',
    async register(_spec: InstanceSpec) {},
    async deregister(_spec: InstanceSpec) {},
    heartbeat: async (): Promise<BeatOutcome> => {
      state.beats++;
      if (state.down === true || state.beatFailures > 0) {
        state.beatFailures--;
        throw new Error('[nacos] beat failed: read ECONNRESET');
      }
      return { known: true };
    },
    async list() {
      if (state.down === true) throw new Error('[nacos] list failed: connect ECONNREFUSED');
      return state.hosts;
    },
    async close() {},
  };
}

describe('a blip is not an outage (#17)', () => {
  it('one failed heartbeat answered by the next does not keep a departed instance listed', async () => {
    const state = { hosts: [host(1), host(2)], beatFailures: 1, beats: 0 };
    const options = normalizeOptions({ serverAddr: '127.0.0.1:8848', refreshInterval: 20, logger: quiet });
    const registry = new NacosRegistry({ ...options, heartbeatIntervalMs: 10 }, scriptedApi(state));
    try {
      await registry.register({ serviceName: 'me', host: '10.0.0.9', port: 9 });
      expect((await registry.getInstances('users')).length).toBe(2);
      await waitFor(() => state.beats >= 2, { timeout: 5000, message: 'a failed beat, then a good one' });
      // Both instances were SIGKILLed and their heartbeats expired: Nacos lists nothing.
      state.hosts = [];
      await waitFor(() => registry.getCachedInstances('users')?.length === 0, {
        timeout: 2000,
        message: 'the empty list believed within two refreshes',
      });
    } finally {
      await registry.close();
    }
  });

  it('two failures in a row are an outage: the empty list that follows is not believed', async () => {
    const state = { hosts: [host(1)], beatFailures: 0, beats: 0, down: false };
    const options = normalizeOptions({ serverAddr: '127.0.0.1:8848', refreshInterval: 20, logger: quiet });
    const registry = new NacosRegistry({ ...options, heartbeatIntervalMs: 10 }, scriptedApi(state));
    try {
      await registry.register({ serviceName: 'me', host: '10.0.0.9', port: 9 });
      await registry.getInstances('users');
      // Nacos down for a few beats and refreshes, then back but empty (a restarted server).
      state.down = true;
      const before = state.beats;
      await waitFor(() => state.beats >= before + 3, { timeout: 5000, message: 'failed beats' });
      state.hosts = [];
      state.down = false;
      const after = state.beats;
      await waitFor(() => state.beats >= after + 5, { timeout: 5000, message: 'good beats and refreshes' });
      expect(registry.getCachedInstances('users')?.length).toBe(1);
    } finally {
      await registry.close();
    }
  });
});
