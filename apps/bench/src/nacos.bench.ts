/**
 * The Nacos benchmark (needs a running Nacos; not part of `pnpm bench` or CI):
 *
 *   pnpm --filter @service-caller/bench bench:nacos --addr 127.0.0.1:8848 --pid <server pid> [--trials 20] [--cost-seconds 60] [--instances 100] [--rounds 1] [--username nacos]
 *
 * 1. Push latency: a subscriber hears a deregistration: `--trials` times over gRPC (pushed) and
 *    over HTTP v1 (polled every 5 s, the default refresh); p50, p99 and max per protocol.
 * 2. Server cost (with `--pid`): `--instances` clients, each registering one instance, kept
 *    alive for `--cost-seconds` by HTTP v1 heartbeats, then by one gRPC connection each, and a
 *    window with no client at all (an official server's JVM spends CPU on its own timers,
 *    which is not the clients' cost); the server process's CPU seconds over each window (from
 *    /proc/<pid>/stat), side by side. `--rounds` repeats the windows, the order alternated, so
 *    a noisy neighbour is spread over both protocols.
 *
 * `--username` logs in (the password from NACOS_PASSWORD, never on the command line).
 *
 * Every request goes to the given address, which must be on 127.0.0.1.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { ServiceInstance, ServiceRegistry } from '@service-caller/core';
import { nacosRegistry } from '@service-caller/registry-nacos';

// pnpm passes the `--` that separates its own options on to the script.
const argv = process.argv.slice(2);
const { values } = parseArgs({
  args: argv[0] === '--' ? argv.slice(1) : argv,
  options: {
    addr: { type: 'string', default: process.env.NACOS_ADDR ?? '127.0.0.1:8848' },
    pid: { type: 'string' },
    trials: { type: 'string', default: '20' },
    'cost-seconds': { type: 'string', default: '60' },
    instances: { type: 'string', default: '100' },
    protocols: { type: 'string', default: 'grpc,v1' },
    rounds: { type: 'string', default: '1' },
    username: { type: 'string' },
  },
});
const addr = values.addr!;
if (!/^127\.0\.0\.1:\d+$/.test(addr)) throw new Error(`--addr must be 127.0.0.1:<port>, found ${addr}`);
const trials = Number(values.trials);
const costSeconds = Number(values['cost-seconds']);
const instanceCount = Number(values.instances);
const rounds = Number(values.rounds);
const protocols = values.protocols!.split(',') as ('grpc' | 'v1')[];
for (const [name, value] of [
  ['--trials', trials],
  ['--cost-seconds', costSeconds],
  ['--instances', instanceCount],
  ['--rounds', rounds],
] as const) {
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`${name} must be a whole number, found ${value}`);
}
for (const protocol of protocols) {
  if (protocol !== 'grpc' && protocol !== 'v1')
    throw new Error(`--protocols: grpc or v1, found '${protocol}'`);
}
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const credentials =
  values.username === undefined
    ? {}
    : { username: values.username, password: process.env.NACOS_PASSWORD ?? 'nacos' };
const runId = Date.now().toString(36);
/** A registry on the server under test, logged in when `--username` is given. */
const open = (apiVersion: 'grpc' | 'v1') =>
  nacosRegistry({ serverAddr: addr, apiVersion, logger: quiet, ...credentials });

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * One trial: two instances of one service, each registered by a process of its own (a registry
 * each), a subscriber, one deregistered; milliseconds until the subscriber heard it.
 */
async function pushTrial(apiVersion: 'grpc' | 'v1', n: number): Promise<number> {
  const service = `bench-push-${apiVersion}-${runId}-${n}`;
  const owner = open(apiVersion);
  const other = open(apiVersion);
  const subscriber = open(apiVersion);
  try {
    await owner.register({ serviceName: service, host: '127.0.0.1', port: 7001 });
    await other.register({ serviceName: service, host: '127.0.0.1', port: 7002 });
    let latest: readonly ServiceInstance[] = [];
    let heard: () => void = () => {};
    subscriber.subscribe!(service, (list) => {
      latest = list;
      heard();
    });
    await until(() => latest.length === 2, 30_000, 'both instances');
    const start = performance.now();
    const gone = new Promise<number>((resolve) => {
      heard = () => {
        if (latest.length === 1) resolve(performance.now() - start);
      };
    });
    await owner.deregister({ serviceName: service, host: '127.0.0.1', port: 7001 });
    return await Promise.race([
      gone,
      new Promise<number>((_, reject) => setTimeout(() => reject(new Error('not heard in 30 s')), 30_000)),
    ]);
  } finally {
    await Promise.all([owner.close(), other.close(), subscriber.close()]);
  }
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * The server's CPU seconds so far (user + system of every thread: a JVM's included), from /proc.
 * Clock ticks are 100 a second on every Linux this runs on (USER_HZ; `getconf CLK_TCK`).
 */
function cpuSeconds(pid: string): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat (11 and 12 after the command), in clock ticks.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** What runs as `pid` (`java` for an official server, `rnacos`), for the report's first line. */
function processName(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    throw new Error(
      `--pid ${pid}: no such process (the pid file of scripts/nacos.sh is ~/.cache/service-caller/nacos-run/<port>/nacos.pid)`,
    );
  }
}

async function serverCost(apiVersion: 'grpc' | 'v1' | 'idle', pid: string): Promise<number> {
  const registries: ServiceRegistry[] = [];
  try {
    for (let i = 0; apiVersion !== 'idle' && i < instanceCount; i++) {
      const registry = open(apiVersion);
      registries.push(registry);
      await registry.register({
        serviceName: `bench-cost-${apiVersion}-${runId}-${i}`,
        host: '127.0.0.1',
        port: 7100,
      });
    }
    // Settle after the registrations, then measure the steady state only.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const before = cpuSeconds(pid);
    await new Promise((resolve) => setTimeout(resolve, costSeconds * 1000));
    return cpuSeconds(pid) - before;
  } finally {
    await Promise.all(registries.map((r) => r.close()));
  }
}

const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const server = values.pid === undefined ? '' : `, server pid ${values.pid} (${processName(values.pid)})`;
console.log(`# Nacos benchmark against ${addr}${server} (load average ${loadAverage()})\n`);
if (trials > 0) {
  console.log('| protocol | trials | p50 ms | p99 ms | max ms |');
  console.log('| --- | --- | --- | --- | --- |');
}
// `--trials 0`: the server-cost part only.
for (const protocol of trials > 0 ? protocols : []) {
  const times: number[] = [];
  for (let n = 0; n < trials; n++) times.push(await pushTrial(protocol, n));
  times.sort((a, b) => a - b);
  const label = protocol === 'grpc' ? 'gRPC (pushed)' : 'HTTP v1 (polled, 5 s)';
  console.log(
    `| ${label} | ${trials} | ${percentile(times, 50).toFixed(1)} | ${percentile(times, 99).toFixed(1)} | ${times.at(-1)!.toFixed(1)} |`,
  );
}
if (values.pid !== undefined) {
  console.log(
    `\n| keep-alive of ${instanceCount} clients | round | server CPU s in ${costSeconds} s | server CPU % | load average after |`,
  );
  console.log('| --- | --- | --- | --- | --- |');
  const labels = {
    grpc: 'gRPC connections',
    v1: 'HTTP v1 heartbeats (5 s)',
    idle: 'no client (the server alone)',
  };
  for (let round = 1; round <= rounds; round++) {
    // Odd rounds in the given order, even ones reversed: neither protocol always goes first.
    const order = round % 2 === 1 ? protocols : [...protocols].reverse();
    for (const protocol of [...order, 'idle' as const]) {
      const cpu = await serverCost(protocol, values.pid);
      console.log(
        `| ${labels[protocol]} | ${round} | ${cpu.toFixed(2)} | ${((cpu / costSeconds) * 100).toFixed(1)} | ${loadAverage()} |`,
      );
    }
  }
}
