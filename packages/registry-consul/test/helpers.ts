import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@service-caller/core';
import { afterEach } from 'vitest';
import { type ConsulRegistry, type ConsulRegistryOptions, consulRegistry } from '../src/index.js';
import { type ConsulDouble, type ConsulDoubleOptions, startConsulDouble } from './consul-double/index.js';

/** Everything a test opened, closed after it whatever happened. */
const cleanups: Array<() => Promise<unknown> | unknown> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

export async function agent(options: ConsulDoubleOptions = {}): Promise<ConsulDouble> {
  const double = await startConsulDouble(options);
  cleanups.push(() => double.close());
  return double;
}

export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: Record<string, unknown> | undefined;
}

/** A logger that keeps every line, for tests that check what was logged (and what was not). */
export function recordingLogger(): Logger & { lines: LogLine[]; at(level: LogLine['level']): LogLine[] } {
  const lines: LogLine[] = [];
  const log = (level: LogLine['level']) => (message: string, fields?: Record<string, unknown>) => {
    lines.push({ level, message, fields });
  };
  return {
    lines,
    at: (level) => lines.filter((l) => l.level === level),
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
  };
}

/** A registry on `double`, closed after the test. */
export function registryOn(double: ConsulDouble, options: ConsulRegistryOptions = {}): ConsulRegistry {
  const registry = consulRegistry({ port: double.port, ...options });
  cleanups.push(() => registry.close());
  return registry;
}

/** A real HTTP server on 127.0.0.1 that answers with `handler`'s status and its own name. */
export async function upstream(
  name: string,
  status: () => number = () => 200,
): Promise<{ port: number; server: Server }> {
  const server = createServer((req, res) => {
    res.writeHead(status(), { 'content-type': 'application/json' });
    res.end(JSON.stringify({ server: name, path: req.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { port: (server.address() as AddressInfo).port, server };
}

/** Registers a service on the agent directly over its HTTP API, as another process would. */
export async function putService(
  double: ConsulDouble,
  body: Record<string, unknown>,
  token?: string,
): Promise<void> {
  const res = await fetch(`${double.url}/v1/agent/service/register`, {
    method: 'PUT',
    body: JSON.stringify(body),
    ...(token ? { headers: { 'X-Consul-Token': token } } : {}),
  });
  if (res.status !== 200) throw new Error(`register failed: ${res.status} ${await res.text()}`);
}

/** Health queries the double received for `service`, with or without a blocking index. */
export function healthRequests(double: ConsulDouble, service: string) {
  return double.requests.filter((r) => r.path === `/v1/health/service/${service}`);
}

/** Registers a cleanup to run after the current test. */
export function onCleanup(cleanup: () => Promise<unknown> | unknown): void {
  cleanups.push(cleanup);
}
