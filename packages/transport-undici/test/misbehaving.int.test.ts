import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { undiciTransport } from '../src/index.js';
import { describeMisbehavingUpstreams, SLACK } from './support/misbehaving-suite.js';

describeMisbehavingUpstreams('undici transport against misbehaving upstreams', {
  make: (options) => undiciTransport({ ...options, closeTimeout: 1000 }),
  toleratesContinue: true,
  more: moreTests,
});

/** The undici transport's own cases: close() with a trickling unread body, memory after failures. */
function moreTests(origin: () => string): void {
  it('close() destroys a connection whose unread body is still arriving: the body settles and the process exits', async () => {
    const child = fileURLToPath(new URL('./support/close-child.ts', import.meta.url));
    const started = performance.now();
    // The child exits on its own once nothing holds its event loop; the bound kills it otherwise.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', child, origin(), '/trickle'],
      { timeout: 30_000, killSignal: 'SIGKILL' },
    );
    const result = JSON.parse(stdout.trim()) as { closeMs: number; outcome: string; settledMs: number };
    expect(result.outcome).toMatch(/^rejected /);
    expect(result.closeMs).toBeLessThan(300 + SLACK);
    expect(result.settledMs).toBeLessThan(300 + SLACK);
    // Well under the trickle's 500 s and the child's 30 s bound.
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  it('keeps no memory per failed call: the heap after a bounded loop of them returns to its baseline', async () => {
    const child = fileURLToPath(new URL('./support/memory-child.ts', import.meta.url));
    const paths = [
      '/ssh',
      '/garbage',
      '/bad-status',
      '/bad-chunk',
      '/nul-header',
      '/header-flood',
      '/endless',
      '/continue-endless',
      '/trickle',
    ];
    const rounds = 40;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--expose-gc', '--conditions=source', '--import', 'tsx', child, origin(), String(rounds), ...paths],
      { timeout: 110_000, killSignal: 'SIGKILL' },
    );
    const result = JSON.parse(stdout.trim()) as {
      before: number;
      after: number;
      failures: number;
      calls: number;
      goodStatus: number;
    };
    // Seen in the test's output when it fails, and in the log when it passes.
    console.info(
      `[misbehaving] heap after gc: ${result.before} -> ${result.after} bytes over ${result.calls} failed calls`,
    );
    // Every call failed (none hung: the loop finished), and the transport still answers.
    expect(result.failures).toBe(result.calls);
    expect(result.goodStatus).toBe(200);
    // 720 failed calls: 1 MiB is ~1.4 KiB a call, far below what a leaked socket, body or
    // handler per call would keep (64 KiB bodies, buffers of the flooded headers).
    expect(result.after - result.before).toBeLessThan(1024 * 1024);
  });
}
