import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ServiceInstance } from '@service-caller/core';
import { waitFor } from '@service-caller/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { registriesClosedAfterEach } from './registries.js';
import { NACOS_ADDR, NACOS_SERVER, RUN_ID, SERVER_BEHAVIOUR, startReadyChild } from './support.js';

const TS_SERVICE = fileURLToPath(new URL('./ts-service.ts', import.meta.url));
const behaviour = SERVER_BEHAVIOUR[NACOS_SERVER];

/** The instances of `service` as the server's HTTP API lists them (v1 Open API, or v3 where it is the only one). */
async function listedOverHttp(service: string, api: 'v1' | 'v3' = 'v1'): Promise<number[]> {
  const path = api === 'v1' ? '/nacos/v1/ns/instance/list' : '/nacos/v3/client/ns/instance/list';
  const query = new URLSearchParams({
    serviceName: service,
    groupName: 'DEFAULT_GROUP',
    namespaceId: 'public',
  });
  const res = await fetch(`http://${NACOS_ADDR}${path}?${query}`, { signal: AbortSignal.timeout(10_000) });
  const body = (await res.json()) as { hosts?: { port: number }[]; data?: { port: number }[] };
  const hosts = api === 'v1' ? body.hosts : body.data;
  return (hosts ?? []).map((h) => h.port).sort((a, b) => a - b);
}

describe(`nacosRegistry over gRPC against a real ${NACOS_SERVER}`, () => {
  const open = registriesClosedAfterEach({ apiVersion: 'grpc' });
  let serial = 0;
  const unique = (what: string) => `grpc-${what}-${RUN_ID}-${++serial}`;

  it('registers instances that the HTTP APIs list, several of one service through one connection', async () => {
    const registry = open();
    const service = unique('listed');
    await registry.register({ serviceName: service, host: '127.0.0.1', port: 7401, metadata: { zone: 'a' } });
    await registry.register({ serviceName: service, host: '127.0.0.1', port: 7402 });
    await registry.register({ serviceName: service, host: '127.0.0.1', port: 7403 });
    for (const api of behaviour.apis.filter((a) => a !== 'grpc') as ('v1' | 'v3')[]) {
      await waitFor(async () => (await listedOverHttp(service, api)).length === 3, {
        timeout: 10_000,
        message: `three instances in the ${api} list`,
      });
    }
    // Deregistering one of a batch keeps the others (the rest is registered again as a batch).
    await registry.deregister({ serviceName: service, host: '127.0.0.1', port: 7402 });
    await waitFor(async () => (await listedOverHttp(service)).join() === '7401,7403', {
      timeout: 10_000,
      message: 'the two that stay',
    });
    await registry.deregister({ serviceName: service, host: '127.0.0.1', port: 7401 });
    await registry.deregister({ serviceName: service, host: '127.0.0.1', port: 7403 });
    await waitFor(async () => (await listedOverHttp(service)).length === 0, {
      timeout: 10_000,
      message: 'none left',
    });
  });

  it('lets a subscriber hear a deregistration pushed by the server', async () => {
    const service = unique('pushed');
    const owner = open();
    const subscriber = open();
    await owner.register({ serviceName: service, host: '127.0.0.1', port: 7411 });
    await owner.register({ serviceName: service, host: '127.0.0.1', port: 7412 });
    const heard: (readonly ServiceInstance[])[] = [];
    subscriber.subscribe!(service, (list) => heard.push(list));
    await waitFor(() => heard.at(-1)?.length === 2, { timeout: 10_000, message: 'both instances heard' });
    const start = performance.now();
    await owner.deregister({ serviceName: service, host: '127.0.0.1', port: 7411 });
    await waitFor(() => heard.at(-1)?.length === 1, {
      timeout: 10_000,
      interval: 5,
      message: 'the deregistration heard',
    });
    console.info(
      `[nacos int] grpc push: deregistration heard after ${Math.round(performance.now() - start)} ms`,
    );
    expect(heard.at(-1)!.map((i) => i.port)).toEqual([7412]);
    expect(subscriber.getCachedInstances!(service)).toBe(heard.at(-1));
  });

  it('believes a push that the last instance left; with emptyListProtection always, keeps the last list', async () => {
    const service = unique('empty');
    const owner = open();
    const guarded = open({ emptyListProtection: 'always' });
    const unguarded = open();
    await owner.register({ serviceName: service, host: '127.0.0.1', port: 7421 });
    for (const registry of [guarded, unguarded]) {
      await waitFor(async () => (await registry.getInstances(service)).length === 1, {
        timeout: 10_000,
        message: 'the instance',
      });
    }
    await owner.deregister({ serviceName: service, host: '127.0.0.1', port: 7421 });
    await waitFor(() => unguarded.getCachedInstances!(service)?.length === 0, {
      timeout: 10_000,
      message: 'the empty push believed by default (no outage, no reconnection)',
    });
    expect(guarded.getCachedInstances!(service)?.map((i) => i.port)).toEqual([7421]);
  });

  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
  });

  it('drops a SIGKILLed process that registered over gRPC when the server sees its connection go', async () => {
    const service = unique('killed');
    // tsx as a loader in this one process: its CLI would run the service in a child SIGKILL misses.
    const { child, ready } = startReadyChild(
      process.execPath,
      ['--import', 'tsx', '--conditions=source', TS_SERVICE, NACOS_ADDR, service, 'grpc'],
      'the child service',
      60_000,
    );
    children.push(child);
    const port = await ready;
    await waitFor(async () => (await listedOverHttp(service)).includes(port), {
      timeout: 10_000,
      message: 'the child listed',
    });
    const killedAt = performance.now();
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
    // The bound is the server's: it drops the instance when it sees the connection close.
    await waitFor(async () => !(await listedOverHttp(service)).includes(port), {
      timeout: 60_000,
      interval: 50,
      message: 'the SIGKILLed instance gone from the list',
    });
    console.info(
      `[nacos int] grpc: ${NACOS_SERVER} dropped a SIGKILLed gRPC instance after ${Math.round(performance.now() - killedAt)} ms`,
    );
  });
});
