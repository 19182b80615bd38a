import { randomBytes } from 'node:crypto';
import { isRegistryError, type ServiceRegistry } from '@service-caller/core';
import { waitFor } from '@service-caller/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtInApi, httpFor } from '../src/built-in-api.js';
import { nacosRegistry } from '../src/index.js';
import { NacosRegistry } from '../src/nacos-registry.js';
import { normalizeOptions } from '../src/options.js';
import { ownPort, RUN_ID, recordingLogger, startNacos, stopNacos } from './support.js';

/** Its own Nacos with auth on and 3-second tokens, so renewal happens within the test. */
const nacos = {
  port: ownPort(1),
  auth: true,
  password: `pw-${randomBytes(9).toString('hex')}`,
  tokenTtlSeconds: 3,
};
const serverAddr = `127.0.0.1:${nacos.port}`;

describe('a Nacos with authentication on', () => {
  const opened: ServiceRegistry[] = [];
  beforeAll(async () => {
    // A server left over from an interrupted run may have other settings: start afresh.
    await stopNacos(nacos);
    await startNacos(nacos);
  });
  afterAll(async () => {
    await Promise.all(opened.map((r) => r.close()));
    await stopNacos(nacos);
  });

  it('rejects a wrong password with a RegistryError that shows neither password', async () => {
    const wrong = `wrong-${randomBytes(6).toString('hex')}`;
    const { logger, lines } = recordingLogger();
    const registry = nacosRegistry({ serverAddr, username: 'nacos', password: wrong, logger });
    opened.push(registry);
    const error = await registry.getInstances(`auth-${RUN_ID}`).catch((e: unknown) => e);
    expect(isRegistryError(error)).toBe(true);
    const text = `${(error as Error).message} ${String((error as Error).cause ?? '')}`;
    expect(text).toContain("log in as 'nacos'");
    expect(text).toContain(serverAddr);
    // r-nacos and Nacos 2.5.1 answer 403; Nacos 3.0.3 answers HTTP 500 "No message available",
    // which says nothing to a user: every server's refusal reads the same.
    expect((error as Error).message).toContain('the server refused the login');
    expect((error as Error).message).not.toMatch(/No message available|Internal Server Error/);
    expect(text).not.toContain(wrong);
    expect(text).not.toContain(nacos.password);
    const registerError = await registry
      .register({ serviceName: `auth-${RUN_ID}`, host: '127.0.0.1', port: 7401 })
      .catch((e: unknown) => e);
    expect(isRegistryError(registerError)).toBe(true);
    expect((registerError as Error).message).not.toContain(wrong);
    for (const line of lines) expect(line.message).not.toContain(wrong);
  });

  // r-nacos answers 403 "unknown user!", Nacos 2.5.1 403 "user not found!", Nacos 3.0.3 403
  // "User not found! Please check user exist or password is right!".
  it('rejects a client without credentials, saying that the server requires them', async () => {
    const registry = nacosRegistry({ serverAddr, logger: recordingLogger().logger });
    opened.push(registry);
    const error = await registry.getInstances(`auth-${RUN_ID}`).catch((e: unknown) => e);
    expect(isRegistryError(error)).toBe(true);
    expect((error as Error).message).toContain('requires authentication');
  });

  it('works with the right password and renews the token before it expires (HTTP v1)', async () => {
    const { logger, lines } = recordingLogger();
    const options = normalizeOptions({
      serverAddr,
      username: 'nacos',
      password: nacos.password,
      apiVersion: 'v1',
      refreshInterval: 200,
      logger,
    });
    const http = httpFor(options);
    const registry = new NacosRegistry(options, builtInApi(options, http));
    opened.push(registry);
    const service = `auth-${RUN_ID}`;
    await registry.register({ serviceName: service, host: '127.0.0.1', port: 7402, metadata: { k: 'v' } });
    await waitFor(async () => (await registry.getInstances(service)).length === 1, {
      timeout: 15_000,
      message: 'the instance registered with a token',
    });
    expect(http.stats.logins).toBe(1);
    // Refreshes every 200 ms across more than two 3-second token lifetimes: each token is
    // renewed at 80% of its lifetime, so the server never has to refuse an expired one.
    await waitFor(() => http.stats.logins >= 3, { timeout: 20_000, message: 'two token renewals' });
    expect(http.stats.refusedTokens).toBe(0);
    expect(registry.getCachedInstances(service)?.map((i) => i.port)).toEqual([7402]);
    expect(lines.filter((l) => l.level === 'warn')).toEqual([]);
  });

  it('works with the right password over gRPC, the token in the request headers and renewed as over HTTP', async () => {
    const { logger, lines } = recordingLogger();
    const options = normalizeOptions({
      serverAddr,
      username: 'nacos',
      password: nacos.password,
      apiVersion: 'grpc',
      logger,
    });
    const http = httpFor(options);
    const registry = new NacosRegistry(options, builtInApi(options, http));
    const observer = nacosRegistry({
      serverAddr,
      username: 'nacos',
      password: nacos.password,
      apiVersion: 'v1',
      logger,
    });
    opened.push(registry, observer);
    const service = `auth-grpc-${RUN_ID}`;
    await registry.register({ serviceName: service, host: '127.0.0.1', port: 7403 });
    const heard: number[] = [];
    registry.subscribe(service, (list) => heard.push(list.length));
    await waitFor(async () => (await observer.getInstances(service)).length === 1, {
      timeout: 15_000,
      message: 'the instance registered over gRPC with a token',
    });
    expect(http.stats.logins).toBe(1);
    // Past the 3-second lifetime: the next request logs in again first, and is not refused.
    await new Promise((resolve) => setTimeout(resolve, 3500));
    await registry.register({ serviceName: service, host: '127.0.0.1', port: 7404 });
    await waitFor(() => heard.at(-1) === 2, { timeout: 15_000, message: 'the second instance pushed' });
    expect(http.stats.logins).toBe(2);
    expect(http.stats.refusedTokens).toBe(0);
    expect(lines.filter((l) => l.level === 'warn')).toEqual([]);
  });

  it('over gRPC without credentials: a RegistryError saying that the server requires them', async () => {
    const registry = nacosRegistry({ serverAddr, apiVersion: 'grpc', logger: recordingLogger().logger });
    opened.push(registry);
    const error = await registry
      .register({ serviceName: `auth-grpc-none-${RUN_ID}`, host: '127.0.0.1', port: 7405 })
      .catch((e: unknown) => e);
    expect(isRegistryError(error)).toBe(true);
    expect((error as Error).message).toContain('requires authentication');
  });
});
