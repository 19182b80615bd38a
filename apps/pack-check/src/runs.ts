import { join } from 'node:path';
import type { Consumer, ProjectSpec, RunMode } from './consumers.js';
import { type ExecResult, excerpt, exec } from './exec.js';
import { type NodeRuntime, userEnv } from './node-runtime.js';
import type { Upstream } from './upstream.js';

/** A consumer's run must end by itself within this: a timer or socket left open fails it. */
export const RUN_TIMEOUT_MS = 60_000;

/** The token the consumers' `AuthInterceptor` reads from `TOKEN` (the root README's example). */
export const TOKEN = 'pack-check-token';

/** tsc's output for a consumer under `outDir: out` (nodenext keeps the module kind in the extension). */
export function compiledFile(file: string): string {
  return join(
    'out',
    file
      .replace(/\.ts$/, '.js')
      .replace(/\.mts$/, '.mjs')
      .replace(/\.cts$/, '.cjs'),
  );
}

/** The command line of one run, relative to the project folder. */
export function runCommand(consumer: Consumer, mode: RunMode): [string, string[]] {
  if (consumer.kind === 'sh') return ['bash', [consumer.file]];
  return ['node', [mode === 'compiled' ? compiledFile(consumer.file) : consumer.file]];
}

/** How a run went against what the consumer expects. */
export interface RunVerdict {
  readonly ok: boolean;
  /** `expected failure` when the run failed as its directive says; else empty or what went wrong. */
  readonly note: string;
}

/**
 * Whether `result` is what `consumer` expects of `mode` on `node`: exit 0 within the bound and
 * the `.stdout` file's text when there is one, or, for a run its `@pack-check fails` directive
 * names, a failure whose stderr holds the directive's text.
 */
export function verdict(
  consumer: Consumer,
  mode: RunMode,
  node: NodeRuntime['name'],
  result: ExecResult,
): RunVerdict {
  if (result.timedOut) {
    return {
      ok: false,
      note: `did not exit within ${RUN_TIMEOUT_MS / 1000} s (a timer or socket left open?)`,
    };
  }
  const expected = consumer.expectedFailures.find((f) => f.mode === mode && f.node === node);
  if (expected !== undefined) {
    if (result.code === 0)
      return { ok: false, note: `was expected to fail with "${expected.stderrIncludes}", but exited 0` };
    if (!result.stderr.includes(expected.stderrIncludes)) {
      return {
        ok: false,
        note: `failed, but not with "${expected.stderrIncludes}":\n${excerpt(result.stderr)}`,
      };
    }
    return { ok: true, note: `expected failure: ${expected.stderrIncludes}` };
  }
  if (result.code !== 0)
    return { ok: false, note: `exit ${result.code}:\n${excerpt(`${result.stdout}\n${result.stderr}`)}` };
  if (
    consumer.expectedStdout !== undefined &&
    result.stdout.trimEnd() !== consumer.expectedStdout.trimEnd()
  ) {
    return {
      ok: false,
      note: `stdout differs from ${consumer.file}.stdout:\n--- expected\n${consumer.expectedStdout.trimEnd()}\n--- got\n${result.stdout.trimEnd()}`,
    };
  }
  return { ok: true, note: '' };
}

/**
 * A project's `env` with `{upstream.port}` replaced by the upstream's port, so a README's
 * `${GREETER_PORT:8081}` reaches the harness's server while the README shows a port of its own.
 */
export function withUpstream(
  env: Readonly<Record<string, string>>,
  upstream: Pick<Upstream, 'port'>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([name, value]) => [
      name,
      value.replaceAll('{upstream.port}', String(upstream.port)),
    ]),
  );
}

/** Runs `consumer` in the installed project `dir` with `node`, the upstream's address in its env. */
export function runConsumer(
  spec: ProjectSpec,
  consumer: Consumer,
  mode: RunMode,
  dir: string,
  node: NodeRuntime,
  upstream: Upstream,
): Promise<ExecResult> {
  const [command, args] = runCommand(consumer, mode);
  return exec(command, args, {
    cwd: dir,
    env: userEnv(
      node,
      {
        ...(spec.nodeOptions.length === 0 ? {} : { NODE_OPTIONS: spec.nodeOptions.join(' ') }),
        NO_COLOR: '1',
        PACK_CHECK_UPSTREAM_PORT: String(upstream.port),
        PACK_CHECK_UPSTREAM_URL: upstream.url,
        TOKEN,
        ...withUpstream(spec.env, upstream),
      },
      [join(dir, 'node_modules', '.bin')],
    ),
    timeoutMs: RUN_TIMEOUT_MS,
  });
}
