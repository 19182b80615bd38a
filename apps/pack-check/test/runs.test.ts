import { describe, expect, it } from 'vitest';
import type { Consumer } from '../src/consumers.js';
import type { ExecResult } from '../src/exec.js';
import { compiledFile, runCommand, verdict, withUpstream } from '../src/runs.js';

const consumer: Consumer = {
  file: 'example.ts',
  kind: 'ts-esm',
  modes: ['compiled', 'stripped'],
  expectedFailures: [{ mode: 'stripped', node: 'node22', stderrIncludes: 'SyntaxError' }],
  expectedStdout: 'ok\n',
};

function result(fields: Partial<ExecResult>): ExecResult {
  return { code: 0, stdout: '', stderr: '', timedOut: false, ms: 1, ...fields };
}

describe('verdict', () => {
  it('passes exit 0 with the expected stdout, trailing newlines aside', () => {
    expect(verdict(consumer, 'compiled', 'node24', result({ stdout: 'ok' }))).toEqual({ ok: true, note: '' });
  });

  it('fails a different stdout, a non-zero exit and a run that did not end by itself', () => {
    expect(verdict(consumer, 'compiled', 'node24', result({ stdout: 'ko\n' })).ok).toBe(false);
    const failed = verdict(
      consumer,
      'compiled',
      'node24',
      result({ code: 1, stderr: 'Error: boom\n    at x' }),
    );
    expect(failed).toEqual({ ok: false, note: 'exit 1:\nError: boom\n    at x' });
    const hung = verdict(consumer, 'compiled', 'node24', result({ code: null, timedOut: true }));
    expect(hung).toEqual({ ok: false, note: 'did not exit within 60 s (a timer or socket left open?)' });
  });

  it('passes an expected failure only when it fails for the reason given', () => {
    const as = (fields: Partial<ExecResult>) => verdict(consumer, 'stripped', 'node22', result(fields));
    expect(as({ code: 1, stderr: 'SyntaxError: Unexpected identifier' })).toEqual({
      ok: true,
      note: 'expected failure: SyntaxError',
    });
    expect(as({ code: 0, stdout: 'ok' })).toEqual({
      ok: false,
      note: 'was expected to fail with "SyntaxError", but exited 0',
    });
    expect(as({ code: 1, stderr: 'Error: Cannot find module' }).ok).toBe(false);
    // The same file on the other Node must pass as usual.
    expect(verdict(consumer, 'stripped', 'node24', result({ code: 1, stderr: 'SyntaxError' })).ok).toBe(
      false,
    );
  });
});

describe('runCommand', () => {
  it("runs tsc's output for compiled, the file for stripped, bash for a script", () => {
    expect(compiledFile('a.ts')).toBe('out/a.js');
    expect(compiledFile('a.mts')).toBe('out/a.mjs');
    expect(compiledFile('a.cts')).toBe('out/a.cjs');
    expect(runCommand(consumer, 'compiled')).toEqual(['node', ['out/example.js']]);
    expect(runCommand(consumer, 'stripped')).toEqual(['node', ['example.ts']]);
    expect(runCommand({ ...consumer, file: 'cli.sh', kind: 'sh' }, 'run')).toEqual(['bash', ['cli.sh']]);
    expect(runCommand({ ...consumer, file: 'x.mjs', kind: 'js' }, 'run')).toEqual(['node', ['x.mjs']]);
  });
});

describe('withUpstream', () => {
  it("puts the upstream's port where a project's env says {upstream.port}", () => {
    expect(withUpstream({ GREETER_PORT: '{upstream.port}', OTHER: 'x' }, { port: 4321 })).toEqual({
      GREETER_PORT: '4321',
      OTHER: 'x',
    });
  });
});
