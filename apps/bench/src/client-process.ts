/**
 * The entry point of a Node client process: `client-process.ts <client-id>`. Creates the client,
 * warms it up, measures, prints the result line (see child-protocol.ts) and exits.
 */
import {
  type ChildConfig,
  CONFIG_ENV,
  ERROR_PREFIX,
  RESULT_LINGER_MS,
  RESULT_PREFIX,
  type RunResult,
} from './child-protocol.js';
import { CLIENTS, type ClientId } from './clients/catalog.js';
import type { ClientFactory } from './clients/contract.js';
import { describeError, runPhase } from './load-loop.js';
import { percentilesInPlace } from './stats.js';

async function main(): Promise<RunResult> {
  const id = process.argv[2] ?? '';
  if (CLIENTS[id as ClientId]?.runtime !== 'node') throw new Error(`unknown Node client '${id}'`);
  const config = JSON.parse(process.env[CONFIG_ENV] ?? 'null') as ChildConfig | null;
  if (config === null) throw new Error(`${CONFIG_ENV} is not set`);

  const { createClient } = (await import(`./clients/${id}.js`)) as { createClient: ClientFactory };
  const client = await createClient({ host: config.host, ports: config.ports, path: config.path });
  const bounds = {
    concurrency: config.concurrency,
    timeLimitMs: config.timeLimitMs,
    maxErrors: config.maxErrors,
  };
  try {
    if (config.warmup > 0) {
      const warm = await runPhase(() => client.call(), { ...bounds, requests: config.warmup });
      if (warm.errors > 0) throw new Error(`warm-up failed ${warm.errors} times; first: ${warm.firstError}`);
    }
    const run = await runPhase(() => client.call(), { ...bounds, requests: config.requests });
    const [p50Ms = Number.NaN, p99Ms = Number.NaN] = percentilesInPlace(run.latenciesMs, [50, 99]);
    return {
      completed: run.completed,
      errors: run.errors,
      firstError: run.firstError,
      timedOut: run.timedOut,
      wallMs: run.wallMs,
      cpuUs: run.cpuUs,
      p50Ms,
      p99Ms,
      processCpuUs: 0,
    };
  } finally {
    await client.close();
  }
}

// The harness holds our stdin open; when it goes away, so do we.
let exitCode = 3;
process.stdin.on('end', () => process.exit(exitCode));
process.stdin.on('error', () => process.exit(exitCode));
process.stdin.resume();

main().then(
  (result) => {
    // Our own count of the whole process's CPU, taken last: the harness compares the kernel's with it.
    const cpu = process.cpuUsage();
    const line = `${RESULT_PREFIX}${JSON.stringify({ ...result, processCpuUs: cpu.user + cpu.system })}\n`;
    // Idle from here until the harness, having read /proc, closes our stdin.
    process.stdout.write(line, () => linger(0));
  },
  (error: unknown) =>
    process.stdout.write(`${ERROR_PREFIX}${describeError(error).replaceAll('\n', ' ')}\n`, () =>
      process.exit(1),
    ),
);

function linger(code: number): void {
  exitCode = code;
  setTimeout(() => process.exit(code), RESULT_LINGER_MS);
}
