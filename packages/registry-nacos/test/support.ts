import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@service-caller/core';
import type { NacosConfig } from '../../caller/src/index.js';

/** The Nacos the integration tests share: `NACOS_ADDR`, else 127.0.0.1:8848 (`pnpm nacos:start`). */
export const NACOS_ADDR = process.env.NACOS_ADDR ?? '127.0.0.1:8848';

/** The server kinds scripts/nacos.sh runs. */
export type NacosServerKind = 'rnacos' | 'nacos-2.5.1' | 'nacos-3.0.3';

/**
 * How each server kind behaves where the tests depend on it, as measured against each. A test
 * that expects one server's behaviour reads it from here, so every difference is written once.
 */
export const SERVER_BEHAVIOUR: Record<NacosServerKind, ServerBehaviour> = {
  // r-nacos has no v3 client API; Nacos 2.5.1 neither (404).
  // Every kind serves gRPC, which `auto` prefers.
  rnacos: { detected: 'grpc', apis: ['v1', 'grpc'], pythonEmptyNamespaceIsPublic: true },
  // Nacos 2.5.1 keeps the namespace "" (where nacos-sdk-python registers over gRPC when none is
  // set) apart from public, as 3.0.3 does.
  'nacos-2.5.1': { detected: 'grpc', apis: ['v1', 'grpc'], pythonEmptyNamespaceIsPublic: false },
  // Nacos 3.0.3 serves its v3 client API and still the 1.x Open API, which `auto` prefers over
  // v3 when gRPC does not answer (see built-in-api.ts); the registry tests run on all three.
  'nacos-3.0.3': { detected: 'grpc', apis: ['v1', 'v3', 'grpc'], pythonEmptyNamespaceIsPublic: false },
};

/** What the tests rely on about one server kind. */
export interface ServerBehaviour {
  /** What `api-version: auto` picks. */
  readonly detected: 'v1' | 'v3' | 'grpc';
  /** The APIs it serves. */
  readonly apis: readonly ('v1' | 'v3' | 'grpc')[];
  /** Whether a Python service registered with no namespace (gRPC, namespace "") is listed in public. */
  readonly pythonEmptyNamespaceIsPublic: boolean;
}

/** The kind of server at `NACOS_ADDR` and the one the tests start: `NACOS_SERVER`, as for scripts/nacos.sh. */
export const NACOS_SERVER: NacosServerKind = serverKind(process.env.NACOS_SERVER ?? 'rnacos');

function serverKind(value: string): NacosServerKind {
  if (!(value in SERVER_BEHAVIOUR)) {
    throw new Error(
      `NACOS_SERVER must be one of ${Object.keys(SERVER_BEHAVIOUR).join(', ')}; found '${value}'`,
    );
  }
  return value as NacosServerKind;
}

/** Names no other run uses, so runs against a long-lived server stay apart. */
export const RUN_ID = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

const SCRIPT = fileURLToPath(new URL('../../../scripts/nacos.sh', import.meta.url));
const CLUSTER_SCRIPT = fileURLToPath(new URL('../../../scripts/nacos-cluster.sh', import.meta.url));

/** Settings of a Nacos server a test starts for itself (auth on, or one it stops and restarts). */
export interface OwnNacos {
  readonly port: number;
  readonly auth?: boolean;
  readonly password?: string;
  readonly tokenTtlSeconds?: number;
  /** More of scripts/nacos.sh's settings (`NACOS_GRPC_TLS`, ...), for start and stop alike. */
  readonly env?: Readonly<Record<string, string>>;
}

function runScript(command: 'start' | 'stop', nacos: OwnNacos): Promise<string> {
  return run(SCRIPT, [command], {
    NACOS_PORT: String(nacos.port),
    NACOS_AUTH: nacos.auth ? 'true' : 'false',
    NACOS_PASSWORD: nacos.password ?? 'nacos',
    NACOS_TOKEN_TTL: String(nacos.tokenTtlSeconds ?? 18_000),
    ...nacos.env,
  });
}

function run(script: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [script, ...args],
      { env: { ...process.env, ...env }, timeout: 400_000 },
      (error, stdout, stderr) => {
        if (error)
          reject(
            new Error(`${script} ${args.join(' ')} (${JSON.stringify(env)}) failed: ${stderr || stdout}`, {
              cause: error,
            }),
          );
        else resolve(stdout);
      },
    );
  });
}

/** A 3-node cluster of `NACOS_SERVER` through scripts/nacos-cluster.sh, members on `port`, +10, +20. */
export function nacosCluster(port: number) {
  const env = { NACOS_CLUSTER_PORT: String(port) };
  const members = [port, port + 10, port + 20];
  return {
    /** The HTTP port of each member, member 1 first. */
    members,
    /** What a client is given: every member. */
    serverAddr: members.map((p) => `127.0.0.1:${p}`).join(','),
    start: () => run(CLUSTER_SCRIPT, ['start'], env),
    stop: () => run(CLUSTER_SCRIPT, ['stop'], env),
    /** SIGKILLs member `n` (1-based). */
    kill: (n: number) => run(CLUSTER_SCRIPT, ['kill', String(n)], env),
    /** Starts member `n` again (empty; it rejoins). */
    startMember: (n: number) => run(CLUSTER_SCRIPT, ['start-node', String(n)], env),
  };
}

/** Starts (or finds running) a Nacos on `nacos.port` through scripts/nacos.sh; resolves once it answers. */
export const startNacos = (nacos: OwnNacos) => runScript('start', nacos);
/** Stops the Nacos on `nacos.port` that scripts/nacos.sh started; resolves once the process is gone. */
export const stopNacos = (nacos: OwnNacos) => runScript('stop', nacos);

/**
 * The HTTP port of a test's own Nacos number `n`: `NACOS_TEST_PORT_BASE` (default 18848) + 10 n.
 * Ten apart, since an official server also takes its port + 1001 (cluster gRPC) and - 1000 (Raft).
 * Taken: 1 auth, 2 outage, 3 config-source auth, 4 background registration, 5-7 the cluster,
 * 8, 9 and 11 the ConnectResetRequest test, 10 gRPC over TLS.
 */
export function ownPort(n: number): number {
  return Number(process.env.NACOS_TEST_PORT_BASE ?? 18_848) + 10 * n;
}

/** The ports of the instances of `service` that the server on `port` lists (v1 Open API). */
export async function listedPorts(port: number, service: string): Promise<number[]> {
  const query = new URLSearchParams({
    serviceName: service,
    groupName: 'DEFAULT_GROUP',
    namespaceId: 'public',
  });
  const res = await fetch(`http://127.0.0.1:${port}/nacos/v1/ns/instance/list?${query}`, {
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json()) as { hosts?: { port: number }[] };
  return (body.hosts ?? []).map((h) => h.port);
}

/** A logger that keeps every line, for asserting what was (not) logged. */
export function recordingLogger() {
  const lines: { level: 'debug' | 'info' | 'warn' | 'error'; message: string }[] = [];
  const at =
    (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, fields?: Record<string, unknown>) =>
      lines.push({ level, message: fields === undefined ? message : `${message} ${safeJson(fields)}` });
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** A real HTTP server on 127.0.0.1 that answers every request with its own name and port. */
export interface NamedServer {
  readonly name: string;
  readonly port: number;
  /** Requests served so far. */
  readonly hits: number;
  close(): Promise<void>;
}

export async function startNamedServer(name: string): Promise<NamedServer> {
  let hits = 0;
  const server: Server = createServer((_req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ name }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    name,
    port,
    get hits() {
      return hits;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A steady call loop: a call every 10 ms, in turn to each service, until `stop()`, `maxCalls` or
 * `maxMs` (GET `path`, default `/`). Counts the calls and the failures, and keeps the first five
 * errors. For the tests that kill or reset servers under load and count what failed.
 */
export function startCallLoop(
  caller: { get(service: string, path: string): Promise<unknown> },
  services: readonly string[],
  bounds: { maxCalls: number; maxMs: number; path?: string },
) {
  const path = bounds.path ?? '/';
  const state = { calls: 0, failures: 0, errors: [] as string[], stopped: false };
  const running = (async () => {
    const deadline = performance.now() + bounds.maxMs;
    while (!state.stopped && state.calls < bounds.maxCalls && performance.now() < deadline) {
      const service = services[state.calls % services.length]!;
      state.calls++;
      try {
        await caller.get(service, path);
      } catch (error) {
        state.failures++;
        if (state.errors.length < 5) state.errors.push(String(error));
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  return {
    get calls() {
      return state.calls;
    },
    get failures() {
      return state.failures;
    },
    get errors(): readonly string[] {
      return state.errors;
    },
    /** Ends the loop after the call in flight. */
    async stop() {
      state.stopped = true;
      await running;
    },
  };
}

/** The repository's root folder, ending in a slash. */
export const REPO_DIR = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Starts, in the repository's root, a child process that prints `{"ready": true, "port": N}` once
 * serving (test/ts-service.ts, test/python/py_service.py). `ready` resolves with that port, or
 * rejects naming `what` with the tail of its stderr when it exits first or is not ready within
 * `timeoutMs`. Other output lines are ignored.
 */
export function startReadyChild(
  command: string,
  args: string[],
  what: string,
  timeoutMs = 90_000,
): { child: ChildProcess; ready: Promise<number> } {
  const child = spawn(command, args, {
    cwd: REPO_DIR,
    // No compiled Python files in the tree (with python -B).
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const ready = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${what} not ready within ${timeoutMs / 1000} s: ${stderr}`)),
      timeoutMs,
    );
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const message = JSON.parse(line) as { ready?: boolean; port?: number };
        if (message.ready === true && typeof message.port === 'number') {
          clearTimeout(timer);
          resolve(message.port);
        }
      } catch {
        // Other output: the service's own logging.
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code ?? signal}) before it was ready: ${stderr}`));
    });
  });
  return { child, ready };
}

/**
 * The config of a process that is `service` on 127.0.0.1:`port` and registers itself, from its
 * config, in the Nacos at `serverAddr` (`nacos` adds or overrides keys of `app-registry.nacos`).
 */
export function selfRegistering(
  serverAddr: string,
  service: string,
  port: number,
  nacos: Partial<NacosConfig> = {},
) {
  return { appRegistry: { nacos: { serverAddr, appName: service, ip: '127.0.0.1', port, ...nacos } } };
}
