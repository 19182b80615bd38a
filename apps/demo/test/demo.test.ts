import { describe, expect, it } from 'vitest';
import { childEnv, freePorts, isPortFree, REPO_ROOT, runProcess } from './run-process.js';
import { parseSummary } from './summary.js';

const STRATEGIES = [
  'round_robin',
  'random',
  'weight_random',
  'weight_round_robin',
  'least_request',
  'peak_ewma',
  'consistent_hash',
];
// pnpm and tsx start in a few seconds; the bound only stops a hung demo from hanging the run.
const PROCESS_TIMEOUT_MS = 90_000;

/**
 * Runs `pnpm demo <args>` (static profile) on free ports instead of the YAML's defaults, so a
 * busy 1808x on this machine cannot interfere, with a token unique to the run.
 */
async function runStaticDemo(args: string[]) {
  const ports = await freePorts(3);
  const token = `test-token-${process.pid}-${Date.now()}`;
  const result = await runProcess('pnpm', ['demo', ...args], {
    cwd: REPO_ROOT,
    env: childEnv({
      GREETER_PORT_1: String(ports[0]),
      GREETER_PORT_2: String(ports[1]),
      GREETER_PORT_3: String(ports[2]),
      DEMO_TOKEN: token,
    }),
    timeoutMs: PROCESS_TIMEOUT_MS,
  });
  return { ports, token, result, output: `${result.stdout}\n${result.stderr}` };
}

describe('pnpm demo (static profile)', () => {
  it('calls the three greeters with every strategy, prints the summary, and exits 0 leaving nothing behind', async () => {
    const { ports, token, result, output } = await runStaticDemo([]);
    expect(result.code, output).toBe(0);

    const summary = parseSummary(result.stdout);
    const n = summary.callsPerStrategy;
    expect(n).toBeGreaterThan(0);
    expect(summary.columns.map((c) => c.address)).toEqual(ports.map((p) => `127.0.0.1:${p}`));
    expect(summary.columns.map((c) => c.weight)).toEqual([1, 2, 3]);
    expect([...summary.rows.keys()].sort()).toEqual([...STRATEGIES].sort());

    for (const row of summary.rows.values()) {
      expect(row.failed, row.strategy).toBe(0);
      expect(
        row.counts.reduce((a, b) => a + b, 0),
        row.strategy,
      ).toBe(n);
      expect(row.total, row.strategy).toBe(n);
    }

    // Round robin takes turns: equal counts, give or take one.
    const rr = summary.rows.get('round_robin')!.counts;
    expect(Math.max(...rr) - Math.min(...rr)).toBeLessThanOrEqual(1);
    // Random without weights reaches every instance (the chance of missing one in 120 is ~(2/3)^120).
    expect(Math.min(...summary.rows.get('random')!.counts)).toBeGreaterThan(0);

    const weights = summary.columns.map((c) => c.weight);
    const weightSum = weights.reduce((a, b) => a + b, 0);
    // Smooth weighted round robin is exact over whole cycles: each count within one of its share.
    const wrr = summary.rows.get('weight_round_robin')!.counts;
    wrr.forEach((count, i) => {
      expect(
        Math.abs(count - (n * weights[i]!) / weightSum),
        `weight_round_robin column ${i}`,
      ).toBeLessThanOrEqual(1);
    });
    // Weighted random follows the weights loosely: the heaviest instance (expected share 1/2) gets
    // between 30% and 70%, and more than the lightest (both bounds are > 4 standard deviations out).
    const wr = summary.rows.get('weight_random')!.counts;
    const heaviest = weights.indexOf(Math.max(...weights));
    const lightest = weights.indexOf(Math.min(...weights));
    expect(wr[heaviest]! / n).toBeGreaterThan(0.3);
    expect(wr[heaviest]! / n).toBeLessThan(0.7);
    expect(wr[heaviest]!).toBeGreaterThan(wr[lightest]!);

    // The interceptor log lines are there, with the token redacted, and the token appears nowhere.
    const requestLines = result.stdout.split('\n').filter((line) => line.includes('→ GET greeter/hello'));
    expect(requestLines.length).toBeGreaterThan(0);
    for (const line of requestLines) expect(line).toContain('"Authorization":"***"');
    expect(output).not.toContain(token);

    // Nothing left behind: every greeter port can be bound again.
    for (const port of ports) expect(await isPortFree(port), `port ${port} still in use`).toBe(true);
  });

  it('with --observe, traces every call into the greeters and prints the metrics text at the end', async () => {
    const { ports, token, result, output } = await runStaticDemo(['--observe']);
    expect(result.code, output).toBe(0);
    const { callsPerStrategy } = parseSummary(result.stdout);
    // The logged calls, then every strategy's.
    const calls = 3 + STRATEGIES.length * callsPerStrategy;

    // A call span and one CLIENT span per attempt (one attempt per call): each logged call its
    // own trace, each strategy's calls one trace.
    expect(result.stdout).toContain(
      `OpenTelemetry: ${calls} call spans with ${calls} CLIENT attempt spans (0 with error.type) in ${3 + STRATEGIES.length} traces`,
    );
    expect(result.stdout).toContain(`a valid traceparent with ${calls} of the ${calls} calls they answered`);
    // The logged calls show the trace id each greeter received: three calls, three traces.
    const received = [...result.stdout.matchAll(/"traceId":"([0-9a-f]{32})"/g)].map((m) => m[1]);
    expect(received).toHaveLength(3);
    expect(new Set(received).size).toBe(3);

    // The metrics text, as a scrape reads it.
    const series = 'service="greeter",method="GET",status_class="2xx",outcome="success"';
    expect(result.stdout).toContain('# TYPE service_caller_client_request_duration_seconds histogram');
    expect(result.stdout).toContain(
      `service_caller_client_request_duration_seconds_count{${series}} ${calls}`,
    );
    expect(result.stdout).toContain(
      `service_caller_client_request_duration_seconds_bucket{le="+Inf",${series}} ${calls}`,
    );
    expect(result.stdout).toContain(
      'service_caller_client_requests_in_flight{service="greeter",method="GET"} 0',
    );
    expect(output).not.toContain(token);
    for (const port of ports) expect(await isPortFree(port), `port ${port} still in use`).toBe(true);
  });

  it("with --admin, names the admin page's URL and prints what its /services showed", async () => {
    const { ports, token, result, output } = await runStaticDemo(['--admin']);
    expect(result.code, output).toBe(0);
    const url = /^admin page: (http:\/\/127\.0\.0\.1:\d+\/) \(served while the demo runs\)$/m.exec(
      result.stdout,
    )?.[1];
    expect(url, output).toBeDefined();
    expect(result.stdout).toContain(`admin page ${url}services (the caller's own calls):`);
    // The three logged calls went through the caller, one to each greeter (round robin).
    expect(result.stdout).toContain('  greeter: 3 calls, 3 instances, 0 ejected');
    for (const port of ports)
      expect(result.stdout).toMatch(new RegExp(`^    127\\.0\\.0\\.1:${port} up, 1 attempts, mean \\d`, 'm'));
    expect(output).not.toContain(token);
    // The page closed with the demo.
    await expect(fetch(url!)).rejects.toThrow();
  });

  it('exits 2 with one line naming the problem for an unknown --registry', async () => {
    const result = await runProcess('pnpm', ['demo', '--registry', 'zookeeper'], {
      cwd: REPO_ROOT,
      env: childEnv({}),
      timeoutMs: PROCESS_TIMEOUT_MS,
    });
    expect(result.code).toBe(2);
    const demoLines = result.stderr.split('\n').filter((line) => line.startsWith('demo: '));
    expect(demoLines).toEqual([expect.stringContaining("unknown registry 'zookeeper'")]);
  });
});

describe('pnpm example (the README quick start)', () => {
  it('calls both instances of "hello" round robin and exits 0', async () => {
    const result = await runProcess('pnpm', ['example'], {
      cwd: REPO_ROOT,
      env: childEnv({}),
      timeoutMs: PROCESS_TIMEOUT_MS,
    });
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    const answers = [...result.stdout.matchAll(/\/greet\?name=you answered by port (\d+)/g)].map((m) => m[1]);
    expect(answers).toHaveLength(4);
    // Round robin over two instances: alternating, both used.
    expect(new Set(answers).size).toBe(2);
    expect(answers[0]).toBe(answers[2]);
    expect(answers[1]).toBe(answers[3]);
    // The LoggingInterceptor's request and response lines.
    expect(result.stdout.match(/→ GET hello\/greet\?name=you/g)).toHaveLength(4);
    expect(
      result.stdout.match(
        /← GET hello\/greet\?name=you \| http:\/\/127\.0\.0\.1:\d+\/greet\?name=you \| 200/g,
      ),
    ).toHaveLength(4);
  });
});

describe('pnpm --filter @service-caller/demo client-example (declarative client)', () => {
  it('calls the greeters through typed endpoint methods', async () => {
    const result = await runProcess('pnpm', ['--filter', '@service-caller/demo', 'run', 'client-example'], {
      cwd: REPO_ROOT,
      env: childEnv({}),
      timeoutMs: PROCESS_TIMEOUT_MS,
    });
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    const lines = [...result.stdout.matchAll(/Hello, (\w+)! \((greeter-\d), port \d+, greeting #(\d+)\)/g)];
    expect(lines.map((m) => m[1])).toEqual(['Ada', 'Grace', 'Linus']);
    expect(new Set(lines.map((m) => m[2])).size).toBe(2);
  });
});
