import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { childEnv, isPortFree, REPO_ROOT, runProcess, startProcess } from './run-process.js';
import { parseSummary } from './summary.js';

// The Nacos `pnpm nacos:start` runs (CI's test:integration starts it), or the one NACOS_ADDR names.
const NACOS_ADDR = process.env.NACOS_ADDR ?? '127.0.0.1:8848';
const DEMO_DIR = fileURLToPath(new URL('..', import.meta.url));
const PROCESS_TIMEOUT_MS = 90_000;

/** The ports of the greeters, from the demo's "greeter-N listening on 127.0.0.1:PORT" lines. */
function greeterPorts(stdout: string): number[] {
  return [...stdout.matchAll(/greeter-\d listening on 127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));
}

/** The ports Nacos lists for the service `greeter` (its v1 Open API; auth is off on the test server). */
async function portsInNacos(): Promise<number[]> {
  const url = `http://${NACOS_ADDR}/nacos/v1/ns/instance/list?serviceName=greeter&healthyOnly=false`;
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  const body = (await res.json()) as { hosts?: Array<{ port: number }> };
  return (body.hosts ?? []).map((h) => h.port);
}

/**
 * Waits until Nacos lists none of `ports` (at most 10 s): Nacos 2.x/3.x update the list a moment
 * after they answer a deregistration, while a heartbeat that re-created an instance would keep it
 * listed for 15 s or more.
 */
function deregisteredFromNacos(ports: readonly number[]): Promise<void> {
  return eventually(
    async () => {
      const listed = await portsInNacos();
      return ports.every((port) => !listed.includes(port));
    },
    10_000,
    'the greeters deregistered from Nacos',
  );
}

/** Polls `check` every 200 ms until it holds, for at most `ms`. */
async function eventually(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('pnpm demo --registry nacos (real Nacos)', () => {
  it('registers three greeters, discovers them, moves off the one stopped mid-run, and exits 0', async () => {
    const result = await runProcess('pnpm', ['demo', '--registry', 'nacos'], {
      cwd: REPO_ROOT,
      env: childEnv({ NACOS_ADDR }),
      timeoutMs: PROCESS_TIMEOUT_MS,
    });
    const output = `${result.stdout}\n${result.stderr}`;
    expect(result.code, output).toBe(0);
    expect(result.stdout).toContain("registry 'nacos'");
    expect(result.stdout).toMatch(/caller discovered 3 instances of 'greeter' in Nacos/);
    expect(result.stdout).toMatch(
      /the caller moved to the others: discovery dropped greeter-1 [\d.]+ s after it deregistered, 0 calls reached it after that, 0 calls failed/,
    );

    const summary = parseSummary(result.stdout);
    expect(summary.columns.map((c) => c.weight)).toEqual([1, 2, 3]);
    expect([...summary.rows.keys()].sort()).toEqual(
      [
        'random',
        'round_robin',
        'weight_random',
        'weight_round_robin',
        'least_request',
        'peak_ewma',
        'consistent_hash',
      ].sort(),
    );
    for (const row of summary.rows.values()) {
      expect(row.failed, row.strategy).toBe(0);
      expect(
        row.counts.reduce((a, b) => a + b, 0),
        row.strategy,
      ).toBe(summary.callsPerStrategy);
    }

    const ports = greeterPorts(result.stdout);
    expect(ports).toHaveLength(3);
    for (const port of ports) expect(await isPortFree(port), `port ${port}`).toBe(true);
    // Every greeter deregistered on the way out (3.0.3 still listed one right after the demo exited).
    await deregisteredFromNacos(ports);
  });

  it('on Ctrl-C (SIGINT) mid-run, deregisters the greeters, stops their servers and exits 130', async () => {
    // Node with tsx directly, not through pnpm: the signal goes to the demo itself.
    const demo = startProcess(
      process.execPath,
      ['--import', 'tsx', '--conditions=source', 'src/demo.ts', '--registry', 'nacos'],
      { cwd: DEMO_DIR, env: childEnv({ NACOS_ADDR }), timeoutMs: PROCESS_TIMEOUT_MS },
    );
    // The failover phase lasts seconds: a signal sent at its start lands while the demo runs.
    await demo.waitForOutput('Stopping greeter-1', 60_000);
    demo.kill('SIGINT');
    const result = await demo.ended;
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(130);
    expect(result.stderr).toContain('SIGINT: shutting down');

    const ports = greeterPorts(result.stdout);
    expect(ports).toHaveLength(3);
    for (const port of ports) expect(await isPortFree(port), `port ${port}`).toBe(true);
    await deregisteredFromNacos(ports);
  });
});
