import { waitFor } from '@service-caller/testkit';
import { afterAll, describe, expect, it } from 'vitest';
// The facade by path: a devDependency on @service-caller/caller would make a cycle with its
// optional peer dependency on this package.
import { ServiceManager } from '../../caller/src/index.js';
import {
  NACOS_ADDR,
  type NamedServer,
  RUN_ID,
  recordingLogger,
  selfRegistering,
  startNamedServer,
} from './support.js';

describe('three ServiceManagers registered in Nacos, called through the load balancer', () => {
  const service = `sm-orders-${RUN_ID}`;
  const servers: NamedServer[] = [];
  const managers: ServiceManager[] = [];
  afterAll(async () => {
    await Promise.all(managers.map((m) => m.close()));
    await Promise.all(servers.map((s) => s.close()));
  });

  it('registers each, spreads calls over all three, and moves calls off one that closed', async () => {
    for (let i = 0; i < 3; i++) {
      const server = await startNamedServer(`orders-${i}`);
      servers.push(server);
      // Each manager is one process of the service: it registers itself from its config.
      const manager = await ServiceManager.create({
        config: {
          serviceCaller: { lbType: 'round_robin' },
          ...selfRegistering(NACOS_ADDR, service, server.port, { weight: 1 }),
        },
        logger: recordingLogger().logger,
      });
      managers.push(manager);
    }
    const { logger } = recordingLogger();
    const caller = await ServiceManager.create({
      config: { appRegistry: { nacos: { serverAddr: NACOS_ADDR } } },
      logger,
    });
    managers.push(caller);

    // All three are discovered (the first lookup asks Nacos; later ones read the cache).
    await waitFor(async () => (await caller.registry.getInstances(service)).length === 3, {
      timeout: 20_000,
      message: 'three instances of the service',
    });
    const seen = new Set<string>();
    for (let i = 0; i < 9; i++) {
      const body = (await caller.get(service, '/who')) as { name: string };
      seen.add(body.name);
    }
    expect([...seen].sort()).toEqual(['orders-0', 'orders-1', 'orders-2']);

    // One process shuts down: it deregisters; the others stop getting its calls within the
    // refresh interval (5 s by default). Its HTTP server stays up, so no call fails meanwhile.
    await managers[0]!.close();
    const closedAt = performance.now();
    let failed = 0;
    await waitFor(
      async () => {
        const names = new Set<string>();
        for (let i = 0; i < 6; i++) {
          try {
            names.add(((await caller.get(service, '/who')) as { name: string }).name);
          } catch {
            failed++;
          }
        }
        return !names.has('orders-0') && names.size === 2;
      },
      { timeout: 20_000, interval: 200, message: 'calls no longer reaching the closed instance' },
    );
    const movedAfterMs = performance.now() - closedAt;
    expect(failed).toBe(0);
    console.info(
      `[nacos int] calls moved off the deregistered instance after ${Math.round(movedAfterMs)} ms`,
    );
    const instances = caller.registry.getCachedInstances?.(service) ?? [];
    expect(instances.map((i) => i.port).sort()).toEqual([servers[1]!.port, servers[2]!.port].sort());
  });
});
