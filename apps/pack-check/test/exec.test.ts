import { tmpdir } from 'node:os';
import { waitFor } from '@service-caller/testkit/portable';
import { describe, expect, it } from 'vitest';
import { excerpt, exec } from '../src/exec.js';
import { startUpstream } from '../src/upstream.js';

/** Whether a process is still there (signal 0 only checks). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('exec', () => {
  it('collects the output and exit code of a failing command without rejecting', async () => {
    const result = await exec(
      process.execPath,
      ['-e', 'console.log("out"); console.error("err"); process.exitCode = 3'],
      { cwd: tmpdir(), env: {}, timeoutMs: 30_000 },
    );
    expect(result).toMatchObject({ code: 3, stdout: 'out\n', stderr: 'err\n', timedOut: false });
  });

  it('kills a command that runs past its bound, and what it started', async () => {
    // The child starts a grandchild, prints its pid, and both idle for ever.
    const script = [
      'const { spawn } = require("node:child_process");',
      'const g = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });',
      'console.log(g.pid);',
      'setInterval(() => {}, 1000);',
    ].join(' ');
    const result = await exec(process.execPath, ['-e', script], { cwd: tmpdir(), env: {}, timeoutMs: 1_000 });
    expect(result.timedOut).toBe(true);
    expect(result.code).toBeNull();
    const grandchild = Number(result.stdout.trim());
    expect(grandchild).toBeGreaterThan(0);
    await waitFor(() => !alive(grandchild), { message: `grandchild ${grandchild} gone`, timeout: 10_000 });
  });

  it('rejects when the command cannot start', async () => {
    await expect(exec('/nonexistent/tool', [], { cwd: tmpdir(), env: {}, timeoutMs: 1000 })).rejects.toThrow(
      'cannot start /nonexistent/tool',
    );
  });
});

describe('excerpt', () => {
  it('keeps short output whole and long output as its head and tail', () => {
    expect(excerpt('a\n\nb\n')).toBe('a\nb');
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n');
    expect(excerpt(lines, 2, 2)).toBe('line 0\nline 1\n... (26 more lines)\nline 28\nline 29');
  });
});

describe('startUpstream', () => {
  it('answers the path it got, or the status /status/<code> names', async () => {
    const upstream = await startUpstream();
    try {
      const echo = await fetch(`${upstream.url}/hello?n=1`, { method: 'POST', body: 'x' });
      expect(echo.status).toBe(200);
      expect(await echo.json()).toEqual({ method: 'POST', path: '/hello?n=1' });
      const status = await fetch(`${upstream.url}/status/503`);
      expect(status.status).toBe(503);
      expect(await status.json()).toEqual({ status: 503 });
      expect(upstream.requests).toBe(2);
    } finally {
      await upstream.close();
    }
  });
});
