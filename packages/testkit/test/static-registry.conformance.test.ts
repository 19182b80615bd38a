import { silentLogger, staticRegistry } from '@service-caller/core';
import { expect, it } from 'vitest';
import { testRegistry } from '../src/index.js';

// The embedded static registry is the reference implementation of the registry contract, so the
// conformance suite runs on it here, in testkit's own tests.
testRegistry({
  name: 'static',
  create: () => staticRegistry({ logger: silentLogger }),
  propagationTimeout: 2_000,
  additionalTests: () => {
    it('answers at once: a change is visible without waiting', async () => {
      const registry = staticRegistry({ logger: silentLogger });
      await registry.register({ serviceName: 'now', host: '127.0.0.1', port: 1 });
      expect(registry.getCachedInstances('now')?.map((i) => i.port)).toEqual([1]);
      await registry.close();
    });
  },
});
