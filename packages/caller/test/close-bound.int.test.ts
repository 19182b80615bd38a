import { spawn } from 'node:child_process';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * close() with 1,000 calls queued against an upstream that answers none: it returns within its
 * bound (close-timeout 0.5 s, then the transport's close), every call fails with ClosedError, and
 * the process exits by itself. The client runs in a child process (close/close-client.ts), so that
 * "the process can exit" is what is tested; the upstream runs here.
 */

const held: ServerResponse[] = [];
const upstream = createServer((req, res) => {
  if (req.url === '/__held') {
    res.end(String(held.length));
    return;
  }
  held.push(res); // never answered
});

beforeAll(async () => {
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
});

describe('close() of a manager with 1,000 calls queued', () => {
  it('returns within its bound, fails every call with ClosedError, and lets the process exit', async () => {
    const port = (upstream.address() as AddressInfo).port;
    const child = spawn(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        'tsx',
        fileURLToPath(new URL('./close/close-client.ts', import.meta.url)),
      ],
      {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, UPSTREAM_PORT: String(port) },
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    // Bounded: a child that does not exit within 60 s is killed, and the test fails on it.
    const exit = await new Promise<{ code: number | null; killed: boolean }>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve({ code: null, killed: true });
      }, 60_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, killed: false });
      });
    });
    expect(exit).toEqual({ code: 0, killed: false });
    const result = JSON.parse(output.trim()) as { closeMs: number; outcomes: Record<string, number> };
    expect(result.outcomes).toEqual({ SC_ERR_CLOSED: 1_000 });
    // The bound is 0.5 s plus the transport's close (10 s at most): far below the 30 s the calls'
    // default timeout would take, or the never of an upstream that does not answer.
    expect(result.closeMs).toBeLessThan(10_500);
    expect(held.length).toBeGreaterThanOrEqual(10);
  });
});
