import { silentLogger as quiet } from '@service-caller/core';
import { waitFor } from '@service-caller/testkit';
import { describe, expect, it } from 'vitest';
import { NacosRegistry } from '../src/nacos-registry.js';
import type { BeatOutcome, InstanceSpec, NacosHost, NamingApi } from '../src/naming-api.js';
import { normalizeOptions } from '../src/options.js';
import { nacosHost as host } from './fixtures.js';

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

describe('a failed heartbeat is retried sooner than the interval', () => {
  it('beats again after 0.5 s while beats fail, and at the interval once one succeeds', async () => {
    // The server names a 3 s interval in its first answer; the second beat then fails (a member
    // forwarding it to a dead responsible member, as a Nacos cluster does for a while).
    const at: number[] = [];
    let failNext = 0;
    const api: NamingApi = {
      protocol: 'v1',
      async register() {},
      async deregister() {},
      heartbeat: async (): Promise<BeatOutcome> => {
        at.push(performance.now());
        if (failNext > 0) {
          failNext--;
          throw new Error('[nacos] beat failed: the responsible member cannot be reached');
        }
        return { known: true, intervalMs: 3000 };
      },
      async list() {
        return [];
      },
      async close() {},
    };
    const options = normalizeOptions({ serverAddr: '127.0.0.1:8848', logger: quiet });
    const registry = new NacosRegistry({ ...options, heartbeatIntervalMs: 10 }, api);
    try {
      await registry.register({ serviceName: 'me', host: '10.0.0.9', port: 9 });
      await waitFor(() => at.length >= 1, { timeout: 5000, message: 'the first beat' });
      failNext = 2;
      await waitFor(() => at.length >= 2, { timeout: 10_000, message: 'a beat after the named interval' });
      // The interval is 3 s; the retries come after 0.5 s and 1 s (old code: 3 s each).
      await waitFor(() => at.length >= 4, { timeout: 2900, message: 'two retries before one interval' });
      expect(at[3]! - at[1]!).toBeLessThan(3000);
      // The third beat after the failures succeeded: the next one waits the whole interval again.
      await waitFor(() => at.length >= 5, { timeout: 6000, message: 'a beat at the interval again' });
      expect(at[4]! - at[3]!).toBeGreaterThanOrEqual(2500);
    } finally {
      await registry.close();
    }
  });
});
