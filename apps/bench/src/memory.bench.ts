/**
 * The memory micro-benchmark, one client per process: `memory.bench.ts <client>` with
 * `BENCH_MEMORY_CONFIG` ({@link MemoryConfig}) in the environment, run with `--expose-gc`.
 *
 * It measures the heap one call in flight keeps alive: warm the client up (connections open, code
 * compiled), collect garbage and read `heapUsed`, start `calls` GETs to the upstream's
 * `/bench/stall` (accepted, never answered), wait until the upstream holds as many as the
 * client's connections allow (the rest wait in the client's queue: in flight for the caller all
 * the same), collect garbage and read `heapUsed` again. The difference over `calls` is the
 * figure. The calls carry no signal and no timeout, as most calls do. Then the upstream answers
 * them all (`/bench/release`), they complete, and the client is closed. Prints one
 * `BENCH_MEMORY {"client":...,"bytesPerCall":...}` line.
 */
import http from 'node:http';
import { fetchTransport } from '@service-caller/transport-fetch';
import { Agent, Pool } from 'undici';
import { SERVICE_NAME } from './clients/contract.js';
import { CollectJson } from './clients/raw-dispatch.js';
import { createBenchManager } from './clients/service-manager.js';

/** What the harness passes. */
export interface MemoryConfig {
  readonly host: string;
  readonly ports: readonly number[];
  /** Calls held in flight at once. */
  readonly calls: number;
  /** Bound on every wait, in milliseconds. */
  readonly timeLimitMs: number;
}

/** The clients measured, in report order. */
export const MEMORY_CLIENTS = ['raw-undici', 'raw-dispatch', 'sc-undici', 'sc-fetch', 'fetch'] as const;
export type MemoryClient = (typeof MEMORY_CLIENTS)[number];

/** Prefix of the result line. */
export const MEMORY_PREFIX = 'BENCH_MEMORY ';

/** Connections per origin for every client: the manager's default pool size, so the queues compare. */
const CONNECTIONS = 100;

interface Subject {
  /** Starts one call to `path`; resolves with the parsed body. */
  start(path: string): Promise<unknown>;
  close(): Promise<void>;
}

async function manager(config: MemoryConfig, fetch: boolean): Promise<Subject> {
  const agent = fetch ? new Agent({ connections: CONNECTIONS }) : undefined;
  const transport = agent === undefined ? undefined : fetchTransport({ init: { dispatcher: agent } });
  // The manager as the benchmark's clients 2 and 3 build it (its default pool size is CONNECTIONS).
  const sm = await createBenchManager(config, transport);
  return {
    start: (path) => sm.get(SERVICE_NAME, path),
    async close() {
      await sm.close();
      await transport?.close();
      await agent?.close();
    },
  };
}

async function subject(kind: MemoryClient, config: MemoryConfig): Promise<Subject> {
  if (kind === 'sc-undici' || kind === 'sc-fetch') return manager(config, kind === 'sc-fetch');
  if (kind === 'fetch') {
    const agent = new Agent({ connections: CONNECTIONS });
    const urls = config.ports.map((port) => `http://${config.host}:${port}`);
    let turn = 0;
    return {
      async start(path) {
        const url = urls[turn]! + path;
        turn = turn + 1 === urls.length ? 0 : turn + 1;
        // Node's fetch takes an undici dispatcher: the same 100 connections per origin as the others.
        const res = await fetch(url, { dispatcher: agent } as RequestInit);
        return res.json();
      },
      close: () => agent.close(),
    };
  }
  const pools = config.ports.map(
    (port) => new Pool(`http://${config.host}:${port}`, { connections: CONNECTIONS }),
  );
  let next = 0;
  const pool = () => {
    const chosen = pools[next]!;
    next = next + 1 === pools.length ? 0 : next + 1;
    return chosen;
  };
  return {
    start:
      kind === 'raw-undici'
        ? async (path) => (await pool().request({ path, method: 'GET' })).body.json()
        : (path) =>
            new Promise((resolve, reject) => {
              pool().dispatch({ path, method: 'GET' }, new CollectJson(resolve, reject));
            }),
    close: async () => {
      await Promise.all(pools.map((p) => p.close()));
    },
  };
}

/** Asks the upstream (`/bench/stats`, or `/bench/release` to answer the held calls) over a connection of its own. */
function upstream(
  config: MemoryConfig,
  path: '/bench/stats' | '/bench/release',
): Promise<{ stalled: number }> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: config.host, port: config.ports[0], path, agent: false, timeout: 5000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve(JSON.parse(text) as { stalled: number }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`the upstream did not answer ${path}`)));
    req.on('error', reject);
  });
}

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  // Several passes: finalizers and weak references let go of more on the next one.
  for (let i = 0; i < 4; i++) gc();
}

async function bounded<T>(what: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, limit]);
  } finally {
    clearTimeout(timer);
  }
}

async function measure(kind: MemoryClient, config: MemoryConfig) {
  const client = await subject(kind, config);
  try {
    // Warm up with every connection the client may open, so none is opened while measuring.
    const warmConcurrency = CONNECTIONS * config.ports.length;
    for (let round = 0; round < 3; round++) {
      await bounded(
        'warm-up',
        config.timeLimitMs,
        Promise.all(Array.from({ length: warmConcurrency }, () => client.start('/bench/item'))),
      );
    }
    const calls: Promise<unknown>[] = new Array(config.calls);
    collectGarbage();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < config.calls; i++) calls[i] = client.start('/bench/stall');
    const expected = Math.min(config.calls, warmConcurrency);
    const deadline = performance.now() + config.timeLimitMs;
    for (;;) {
      const { stalled } = await upstream(config, '/bench/stats');
      if (stalled >= expected) break;
      if (performance.now() > deadline) {
        throw new Error(
          `the upstream holds ${stalled} of the ${expected} calls expected after ${config.timeLimitMs} ms`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    collectGarbage();
    const after = process.memoryUsage().heapUsed;
    // Answered now, the held calls complete and the queued ones go through in turn.
    await upstream(config, '/bench/release');
    const released = (async () => {
      for (;;) {
        const pending = Promise.all(calls);
        const done = await Promise.race([
          pending.then(() => true),
          new Promise((r) => setTimeout(r, 50, false)),
        ]);
        if (done) return;
        await upstream(config, '/bench/release');
      }
    })();
    await bounded('completing the held calls', config.timeLimitMs, released);
    return {
      client: kind,
      calls: config.calls,
      heapBefore: before,
      heapAfter: after,
      bytesPerCall: (after - before) / config.calls,
    };
  } finally {
    await bounded('closing the client', config.timeLimitMs, client.close());
  }
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const kind = process.argv[2] as MemoryClient;
  const config = JSON.parse(process.env.BENCH_MEMORY_CONFIG ?? 'null') as MemoryConfig | null;
  if (!MEMORY_CLIENTS.includes(kind) || config === null) {
    process.stderr.write(`usage: BENCH_MEMORY_CONFIG=... memory.bench.ts <${MEMORY_CLIENTS.join('|')}>\n`);
    process.exit(2);
  }
  measure(kind, config).then(
    (result) => process.stdout.write(`${MEMORY_PREFIX}${JSON.stringify(result)}\n`, () => process.exit(0)),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    },
  );
}
