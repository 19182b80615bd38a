import { isRegistryError } from '@service-caller/core';
import { waitFor } from '@service-caller/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceManager } from '../../caller/src/index.js';
import { nacosRegistry } from '../src/index.js';
import {
  NACOS_SERVER,
  type NamedServer,
  ownPort,
  RUN_ID,
  recordingLogger,
  selfRegistering,
  startNacos,
  startNamedServer,
  stopNacos,
} from './support.js';

/** Its own Nacos, not running when the services start. */
const nacos = { port: ownPort(4) };
const serverAddr = `127.0.0.1:${nacos.port}`;

describe(`registration while ${NACOS_SERVER} is not there yet`, () => {
  let server: NamedServer;
  const managers: ServiceManager[] = [];
  beforeAll(async () => {
    await stopNacos(nacos);
    server = await startNamedServer('early');
  });
  afterAll(async () => {
    await Promise.all(managers.map((m) => m.close()));
    await server?.close();
    await stopNacos(nacos);
  });

  const config = (service: string, registration?: 'fail-fast' | 'background') =>
    selfRegistering(serverAddr, service, server.port, registration === undefined ? {} : { registration });

  it('fails create by default (fail-fast), naming the server', async () => {
    const error = await ServiceManager.create({
      config: config(`fast-${RUN_ID}`),
      logger: recordingLogger().logger,
    }).catch((e: unknown) => e);
    expect(isRegistryError(error)).toBe(true);
    expect((error as Error).message).toContain(serverAddr);
  });

  it('with registration: background, create resolves, logs once, and the service appears once Nacos starts', async () => {
    const service = `late-${RUN_ID}`;
    const { logger, lines } = recordingLogger();
    const manager = await ServiceManager.create({ config: config(service, 'background'), logger });
    managers.push(manager);
    // What the registration attempts logged as warnings (a heartbeat that fails while Nacos is
    // still starting is the outage log's business, and says so once).
    const warnings = () =>
      lines.filter((l) => l.level === 'warn' && l.message.includes(`register '${service}'`));
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]!.message).toContain('registering in the background');

    await startNacos(nacos);
    const upAt = performance.now();
    const observer = nacosRegistry({ serverAddr, refreshInterval: 200, logger: recordingLogger().logger });
    try {
      // Back-off is 1 s doubling to 30 s: Nacos took up to 40 s to start, so the next try is
      // at most ~36 s away (30 s + 20 % jitter).
      await waitFor(async () => (await observer.getInstances(service)).some((i) => i.port === server.port), {
        timeout: 45_000,
        interval: 200,
        message: 'the service registered in the background',
      });
    } finally {
      await observer.close();
    }
    console.info(
      `[nacos int] ${NACOS_SERVER}: registered in the background ${Math.round(performance.now() - upAt)} ms after Nacos answered`,
    );
    await waitFor(() => lines.some((l) => l.level === 'info' && l.message.includes('in the background')), {
      timeout: 5_000,
      message: 'one info line once registered',
    });
    // The retries in between were not logged as warnings.
    expect(warnings(), JSON.stringify(lines.filter((l) => l.level === 'warn'))).toHaveLength(1);
    // Registered, the service is called through discovery like any other.
    await waitFor(async () => (await manager.registry.getInstances(service)).length === 1, {
      timeout: 15_000,
      message: 'the service seeing itself',
    });
    expect(await manager.get(service, '/')).toEqual({ name: 'early' });
  });
});
