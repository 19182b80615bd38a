import {
  type HttpMethod,
  type IncomingHeaders,
  isInvalidRequestError,
  type LoadBalancerType,
  LoggingInterceptor,
  type RawRequestOptions,
  type RequestContext,
  type ServiceInstance,
  type ServiceInterceptor,
  ServiceManager,
} from '@service-caller/caller';
import { type ConfigFlags, loadCliConfig, withoutSelfRegistration } from '../cli-config.js';
import { errorLine } from '../error-line.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import type { CliIo, OutputStream } from '../io.js';
import { startProgress } from '../progress.js';
import { parseHeaders, parseJsonBody } from '../request-flags.js';
import { lineLogger, stderrLogger } from '../stderr-logger.js';
import { textTable } from '../text-table.js';
import { UsageError } from '../usage-error.js';

/** Flags of `service-caller call`. */
export interface CallFlags extends ConfigFlags {
  /** `-X`. @default 'POST' with a body, else 'GET' */
  method?: HttpMethod;
  /** `-H 'name: value'` lines. @default [] */
  header?: readonly string[];
  /** `-d`: a body sent as it is. Excludes `json`. */
  data?: string;
  /** `--json`: a JSON text, sent with `content-type: application/json`. Excludes `data`. */
  json?: string;
  /** `--lb`: the balancer instead of the config's `lb-type`. */
  lb?: LoadBalancerType;
  /** `-n`: calls to make, one after another. @default 1 */
  count?: number;
  /** `--timeout`: total time per call in milliseconds. @default none (the config's connect/read timeouts) */
  timeout?: number;
  /** `-v`: log each request and response on stderr (LoggingInterceptor). @default false */
  verbose?: boolean;
}

/** Remembers which instance the current call went to; the calls run one at a time. */
class InstanceRecorder implements ServiceInterceptor {
  readonly name = 'service-caller-cli.instance';
  instance: ServiceInstance | undefined;

  afterResponse(ctx: RequestContext): void {
    this.instance = ctx.selectedInstance;
  }
}

/** Calls, successes and time of one instance during `call -n`. */
interface InstanceStats {
  calls: number;
  ok: number;
  failed: number;
  totalMs: number;
  maxMs: number;
}

const NO_INSTANCE = '(none chosen)';

/**
 * `service-caller call <service> <path>`: calls `service` through the whole chain (discovery,
 * load balancer, interceptors, transport) as a service configured by the same files would.
 *
 * One call: `status | instance | duration` on stderr and the body on stdout, so the body can be
 * piped. With `count` > 1: the calls run one after another, a progress line is drawn on a
 * terminal's stderr for runs longer than a second, and a per-instance summary goes to stdout.
 * Exit 1 when a call fails or answers with a non-2xx status. A path the engine refuses (an
 * absolute URL) is bad usage.
 */
export async function callCommand(
  service: string,
  path: string,
  flags: CallFlags,
  io: CliIo,
): Promise<ExitCodeValue> {
  const options = requestOptions(flags);
  const method = flags.method ?? (options.body !== undefined || 'json' in options ? 'POST' : 'GET');
  const count = flags.count ?? 1;
  const { config } = await loadCliConfig(flags, io);

  const recorder = new InstanceRecorder();
  const interceptors: ServiceInterceptor[] = [recorder];
  if (flags.verbose === true) interceptors.push(new LoggingInterceptor({ logger: lineLogger(io.stderr) }));
  await using manager = await ServiceManager.create({
    config: withoutSelfRegistration(config),
    interceptors,
    logger: stderrLogger(io.stderr, flags.verbose === true),
    ...(flags.lb === undefined ? {} : { loadBalancer: flags.lb }),
  });

  // `return await`: the manager is disposed when this scope exits, so the calls must end first.
  const target: Target = { method, service, path, options };
  if (count === 1) return await callOnce(manager, recorder, target, io);
  return await callMany(manager, recorder, target, count, io);
}

interface Target {
  method: HttpMethod;
  service: string;
  path: string;
  options: RawRequestOptions;
}

async function callOnce(
  manager: ServiceManager,
  recorder: InstanceRecorder,
  target: Target,
  io: CliIo,
): Promise<ExitCodeValue> {
  recorder.instance = undefined;
  const started = performance.now();
  try {
    await using res = await manager.rawRequest(target.method, target.service, target.path, target.options);
    const body = await res.bytes();
    const ms = performance.now() - started;
    io.stderr.write(
      `${res.status}${res.statusText ? ` ${res.statusText}` : ''} | ${address(recorder.instance)} | ${ms.toFixed(1)} ms\n`,
    );
    writeBody(io.stdout, body, res.headers);
    return isOk(res.status) ? ExitCode.ok : ExitCode.failed;
  } catch (error) {
    if (isInvalidRequestError(error)) throw error;
    const where = recorder.instance === undefined ? '' : ` (instance ${address(recorder.instance)})`;
    io.stderr.write(`service-caller: call failed${where}: ${errorLine(error)}\n`);
    return ExitCode.failed;
  }
}

async function callMany(
  manager: ServiceManager,
  recorder: InstanceRecorder,
  target: Target,
  count: number,
  io: CliIo,
): Promise<ExitCodeValue> {
  const byInstance = new Map<string, InstanceStats>();
  const outcomes = new Map<string, number>();
  let failed = 0;
  let firstError: string | undefined;
  const progress = startProgress({ stream: io.stderr, total: count, label: 'calls' });
  const runStarted = performance.now();
  try {
    for (let i = 0; i < count; i++) {
      recorder.instance = undefined;
      const started = performance.now();
      let outcome: string;
      let ok: boolean;
      try {
        await using res = await manager.rawRequest(
          target.method,
          target.service,
          target.path,
          target.options,
        );
        await res.bytes();
        outcome = String(res.status);
        ok = isOk(res.status);
        if (!ok) firstError ??= `status ${res.status} from ${address(recorder.instance)}`;
      } catch (error) {
        if (isInvalidRequestError(error)) throw error;
        outcome = error instanceof Error ? error.name : 'error';
        ok = false;
        firstError ??= errorLine(error);
      }
      const ms = performance.now() - started;
      const key = recorder.instance === undefined ? NO_INSTANCE : address(recorder.instance);
      const stats = byInstance.get(key) ?? { calls: 0, ok: 0, failed: 0, totalMs: 0, maxMs: 0 };
      stats.calls++;
      stats.totalMs += ms;
      stats.maxMs = Math.max(stats.maxMs, ms);
      if (ok) stats.ok++;
      else stats.failed++;
      byInstance.set(key, stats);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      if (!ok) failed++;
      progress.tick(!ok);
    }
  } finally {
    progress.stop();
  }
  const seconds = (performance.now() - runStarted) / 1000;

  const rows = [...byInstance.entries()]
    .sort(([a], [b]) => (a === NO_INSTANCE ? 1 : b === NO_INSTANCE ? -1 : a.localeCompare(b)))
    .map(([key, s]) => statsRow(key, s));
  const total = [...byInstance.values()].reduce<InstanceStats>(
    (sum, s) => ({
      calls: sum.calls + s.calls,
      ok: sum.ok + s.ok,
      failed: sum.failed + s.failed,
      totalMs: sum.totalMs + s.totalMs,
      maxMs: Math.max(sum.maxMs, s.maxMs),
    }),
    { calls: 0, ok: 0, failed: 0, totalMs: 0, maxMs: 0 },
  );
  rows.push(statsRow('total', total));
  const table = textTable(['instance', 'calls', 'ok', 'failed', 'mean ms', 'max ms'], rows, [
    'left',
    'right',
    'right',
    'right',
    'right',
    'right',
  ]);
  const shown = [...outcomes.entries()].map(([outcome, n]) => `${outcome} x${n}`).join(', ');
  io.stdout.write(
    `${target.method} ${target.service}${target.path}: ${count} calls in ${seconds.toFixed(2)} s\n\n${table}\n\noutcomes: ${shown}\n`,
  );
  if (failed > 0) {
    io.stderr.write(`service-caller: ${failed} of ${count} calls failed; first: ${firstError}\n`);
    return ExitCode.failed;
  }
  return ExitCode.ok;
}

function statsRow(key: string, s: InstanceStats): string[] {
  return [
    key,
    String(s.calls),
    String(s.ok),
    String(s.failed),
    (s.totalMs / Math.max(s.calls, 1)).toFixed(2),
    s.maxMs.toFixed(2),
  ];
}

/** The call options from `-H`, `-d`, `--json` and `--timeout`; throws `UsageError`. */
function requestOptions(flags: CallFlags): RawRequestOptions {
  if (flags.data !== undefined && flags.json !== undefined) {
    throw new UsageError('give either -d/--data or --json, not both');
  }
  const headers = parseHeaders(flags.header ?? []);
  return {
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    ...(flags.data === undefined ? {} : { body: flags.data }),
    ...(flags.json === undefined ? {} : { json: parseJsonBody(flags.json) }),
    ...(flags.timeout === undefined ? {} : { timeout: flags.timeout }),
  };
}

function isOk(status: number): boolean {
  return status >= 200 && status < 300;
}

function address(instance: ServiceInstance | undefined): string {
  return instance === undefined ? NO_INSTANCE : `${instance.host}:${instance.port}`;
}

const TEXTUAL =
  /^(text\/|application\/([\w.-]+\+)?(json|xml|javascript|x-www-form-urlencoded|yaml|x-ndjson))/i;

/**
 * The body as received. On a terminal, a body that is not text is summarised rather than
 * dumped, and a newline is added when the body lacks one, so the prompt stays on its own line.
 */
function writeBody(out: OutputStream, body: Uint8Array, headers: IncomingHeaders): void {
  if (body.length === 0) return;
  const type = headers['content-type'];
  const contentType = Array.isArray(type) ? type[0] : type;
  if (out.isTTY === true && contentType !== undefined && !TEXTUAL.test(contentType)) {
    out.write(`(${body.length} bytes of ${contentType}; redirect stdout to a file to keep them)\n`);
    return;
  }
  out.write(body);
  if (out.isTTY === true && body[body.length - 1] !== 0x0a) out.write('\n');
}
