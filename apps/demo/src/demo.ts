/**
 * `pnpm demo [--registry static|nacos] [--observe] [--admin]`: three instances of a "greeter" service and a
 * caller that finds them by name, calls them through the interceptor chain, and spreads the calls
 * with each load-balancing strategy. `--observe` adds the OpenTelemetry and Prometheus
 * interceptors and prints the metrics text at the end; `--admin` serves the admin page of the
 * caller on 127.0.0.1 while the demo runs, names its URL, and prints what its `/services` showed.
 * Everything runs in this one process and ends by itself.
 *
 * Exit codes: 0 done, 1 a call or the demo failed, 2 bad usage or config (or Nacos not running).
 */
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startAdminServer } from '@service-caller/admin';
import {
  AuthInterceptor,
  consistentHash,
  consoleLogger,
  isConfigError,
  LOAD_BALANCER_TYPES,
  type Logger,
  LoggingInterceptor,
  MetricsInterceptor,
  type ServiceInstance,
  ServiceManager,
} from '@service-caller/caller';
import { reportAdmin } from './admin-report.js';
import { loadDemoSettings } from './app-settings.js';
import { Cleanup } from './cleanup.js';
import { type Greeter, type Greeting, startGreeter } from './greeter.js';
import { nacosUnreachableReason } from './nacos-check.js';
import { type Observability, startObservability } from './observability.js';
import { type InstanceColumn, renderSummaryTable, type StrategyRow } from './summary-table.js';

const CONFIG_DIR = fileURLToPath(new URL('../config', import.meta.url));
const GREETER_CONFIG_DIR = join(CONFIG_DIR, 'greeter');
const SERVICE = 'greeter';
const CALLS_PER_STRATEGY = 120;
const LOGGED_CALLS = 3;
const USAGE = 'usage: pnpm demo [--registry static|nacos] [--observe] [--admin]';
/** Weights of the greeters the Nacos profile registers (the static profile has its own in YAML). */
const NACOS_WEIGHTS = [1, 2, 3] as const;
/** The demo must end by itself; past this something is stuck. */
const WATCHDOG_MS = 60_000;
const CLEANUP_MS = 5_000;

/** Ends the demo with an exit code and a one-line message. */
class DemoExit extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

const say = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

/** Warnings of the managers (registry trouble, interceptor failures) go to stderr. */
const warnings: Logger = consoleLogger('warn');

/** Where the LoggingInterceptor's lines go: stdout, indented under the call they belong to. */
const interceptorLog: Logger = {
  debug: (message) => say(`    log | ${message}`),
  info: (message) => say(`    log | ${message}`),
  warn: (message) => say(`    log | ${message}`),
  error: (message) => say(`    log | ${message}`),
};

interface RunningGreeter {
  readonly greeter: Greeter;
  readonly weight: number;
  /** The greeter's own ServiceManager, which registered it (Nacos profile only). */
  readonly manager?: ServiceManager;
}

async function main(cleanup: Cleanup): Promise<number> {
  const started = performance.now();
  const { profile, observe, admin } = chooseProfile();
  const metrics = new MetricsInterceptor();
  let observability: Observability | undefined;
  if (observe) {
    const active = startObservability();
    observability = active;
    cleanup.defer('flushing the tracer', () => active.shutdown());
  }
  const observers = observability?.interceptors ?? [];

  // The caller: everything it needs comes from config/application.yaml (+ the profile's file).
  const caller = await ServiceManager.create({
    configDir: CONFIG_DIR,
    profile,
    interceptors: [metrics, ...observers],
    logger: warnings,
  });
  cleanup.defer('closing the caller', () => caller.close());
  // --admin: the caller's own admin page (its snapshot: the calls made through `caller`).
  const adminPage = admin
    ? await startAdminServer({ source: caller, title: 'service-caller demo' })
    : undefined;
  if (adminPage !== undefined) cleanup.defer('closing the admin page', () => adminPage.close());
  const { token } = await loadDemoSettings(CONFIG_DIR, profile, process.env);
  const auth = new AuthInterceptor({ token });
  caller.addInterceptor(auth);

  const files = ['application.yaml', ...(profile === '' ? [] : [`application-${profile}.yaml`])];
  const shown = files.map((file) => join(display(CONFIG_DIR), file)).join(' + ');
  say(`service-caller demo: registry '${caller.registry.name}', config ${shown}`);
  say(`caller interceptors: ${caller.interceptors.map((i) => i.name).join(', ')} (token ${auth.toString()})`);
  if (adminPage !== undefined) say(`admin page: ${adminPage.url} (served while the demo runs)`);
  say();

  const greeters =
    caller.registry.name === 'nacos'
      ? await startNacosGreeters(caller, token, cleanup)
      : await startStaticGreeters(caller, token, cleanup);
  const columns: InstanceColumn[] = greeters.map(({ greeter, weight }) => ({
    address: address(greeter),
    weight,
  }));
  const addressByPort = new Map(greeters.map(({ greeter }) => [greeter.port, address(greeter)]));

  say();
  say(`First ${LOGGED_CALLS} calls, with a LoggingInterceptor added (the bearer token is logged as ***):`);
  caller.addInterceptor(new LoggingInterceptor({ logger: interceptorLog }));
  for (let i = 0; i < LOGGED_CALLS; i++) {
    const greeting = await caller.get<Greeting>(SERVICE, '/hello?name=demo');
    say(`  result: ${JSON.stringify(greeting)}`);
  }
  caller.removeInterceptor('LoggingInterceptor');

  say();
  say(`${CALLS_PER_STRATEGY} calls with each load-balancing strategy (LoggingInterceptor removed)...`);
  const rows: StrategyRow[] = [];
  for (const strategy of LOAD_BALANCER_TYPES) {
    // Same config and registry, another balancer: the `loadBalancer` option overrides lb-type.
    await using manager = await ServiceManager.create({
      configDir: CONFIG_DIR,
      profile,
      registry: caller.registry,
      // consistent_hash needs to know where a call's key is: here the `name` query parameter.
      loadBalancer: strategy === 'consistent_hash' ? consistentHash({ key: { query: 'name' } }) : strategy,
      interceptors: [auth, metrics, ...observers],
      logger: warnings,
    });
    const run = () => runCalls(manager, strategy, CALLS_PER_STRATEGY, addressByPort);
    // With --observe, each strategy's calls are the children of one span: one trace per strategy.
    rows.push(
      observability === undefined
        ? await run()
        : await observability.tracer.startActiveSpan(`demo ${strategy}`, async (span) => {
            try {
              return await run();
            } finally {
              span.end();
            }
          }),
    );
  }

  let failoverFailures = 0;
  if (caller.registry.name === 'nacos') {
    failoverFailures = await stopOneGreeter(caller, greeters, addressByPort);
  }

  say();
  say(
    `Calls per instance, ${CALLS_PER_STRATEGY} calls per strategy (weights ${columns
      .map((c) => c.weight)
      .join(':')}: the weighted strategies follow them, the others spread evenly):`,
  );
  say();
  for (const line of renderSummaryTable(columns, rows).split('\n')) say(`  ${line}`);
  say();
  const seen = metrics.snapshot().services[SERVICE];
  if (seen !== undefined) {
    say(
      `MetricsInterceptor: ${seen.count} calls to '${SERVICE}', ${seen.errors} failed, mean ${(
        seen.latency.sum / Math.max(seen.count, 1)
      ).toFixed(2)} ms, max ${seen.latency.max.toFixed(1)} ms`,
    );
  }
  if (observability !== undefined) await reportObservability(observability, greeters);
  if (adminPage !== undefined) for (const line of await reportAdmin(adminPage.url)) say(line);
  const failed = rows.reduce((sum, row) => sum + row.failed, 0) + failoverFailures;
  say(
    `Done in ${((performance.now() - started) / 1000).toFixed(1)} s${failed > 0 ? `, ${failed} calls failed` : ''}.`,
  );
  return failed > 0 ? 1 : 0;
}

/**
 * `--registry static|nacos`, else `APP_PROFILE`, else the static default (no profile file);
 * `--observe` for the otel and Prometheus interceptors; `--admin` for the admin page.
 */
function chooseProfile(): { profile: string; observe: boolean; admin: boolean } {
  let parsed: ReturnType<typeof parseDemoArgs>;
  try {
    parsed = parseDemoArgs();
  } catch (error) {
    throw new DemoExit(2, `${(error as Error).message}; ${USAGE}`);
  }
  const { registry, observe = false, admin = false } = parsed.values;
  if (registry === undefined) return { profile: process.env.APP_PROFILE ?? '', observe, admin };
  if (registry === 'static') return { profile: '', observe, admin };
  if (registry === 'nacos') return { profile: 'nacos', observe, admin };
  throw new DemoExit(2, `unknown registry '${registry}'; ${USAGE}`);
}

/** `--observe`: what the spans and the greeters saw, then the metrics text a scrape would read. */
async function reportObservability(
  observability: Observability,
  greeters: readonly RunningGreeter[],
): Promise<void> {
  const served = greeters.reduce((sum, { greeter }) => sum + greeter.served, 0);
  const traced = greeters.reduce((sum, { greeter }) => sum + greeter.traced, 0);
  say(observability.spanSummary());
  say(`The greeters received a valid traceparent with ${traced} of the ${served} calls they answered.`);
  say();
  say('Prometheus metrics (the text a scrape of the registry reads):');
  say();
  for (const line of (await observability.metricsText()).trimEnd().split('\n'))
    say(line === '' ? '' : `  ${line}`);
  say();
}

function parseDemoArgs() {
  // pnpm passes a literal `--` through when a user writes `pnpm demo -- --registry nacos`.
  const args = process.argv.slice(2).filter((arg) => arg !== '--');
  return parseArgs({
    args,
    options: { registry: { type: 'string' }, observe: { type: 'boolean' }, admin: { type: 'boolean' } },
    strict: true,
    allowPositionals: false,
  });
}

/** Static profile: listen on the host:port pairs the caller's static registry lists. */
async function startStaticGreeters(
  caller: ServiceManager,
  token: string,
  cleanup: Cleanup,
): Promise<RunningGreeter[]> {
  const listed = caller.settings.appRegistry.static?.services[SERVICE] ?? [];
  if (listed.length === 0) {
    throw new DemoExit(2, `${display(CONFIG_DIR)}/application.yaml lists no instances of '${SERVICE}'`);
  }
  const running: RunningGreeter[] = [];
  for (const [i, instance] of listed.entries()) {
    const greeter = await startGreeter({
      name: `greeter-${i + 1}`,
      host: instance.host,
      port: instance.port,
      token,
    });
    cleanup.defer(`stopping ${greeter.name}`, () => greeter.close());
    running.push({ greeter, weight: instance.weight ?? 1 });
    say(
      `${greeter.name} listening on ${address(greeter)} (weight ${instance.weight ?? 1}, from the static registry)`,
    );
  }
  return running;
}

/**
 * Nacos profile: each greeter is its own "process" with its own ServiceManager, built from
 * config/greeter/application.yaml with its port and weight in the environment; `create`
 * registers it. Then the caller waits until discovery sees all three.
 */
async function startNacosGreeters(
  caller: ServiceManager,
  token: string,
  cleanup: Cleanup,
): Promise<RunningGreeter[]> {
  const serverAddr = caller.settings.appRegistry.nacos?.serverAddr ?? '';
  const reason = await nacosUnreachableReason(serverAddr);
  if (reason !== undefined) {
    throw new DemoExit(
      2,
      `Nacos is not reachable at ${serverAddr} (${reason}): start one with \`pnpm nacos:start\`, or set NACOS_ADDR`,
    );
  }
  const running: RunningGreeter[] = [];
  for (const [i, weight] of NACOS_WEIGHTS.entries()) {
    const greeter = await startGreeter({ name: `greeter-${i + 1}`, host: '127.0.0.1', port: 0, token });
    cleanup.defer(`stopping ${greeter.name}`, () => greeter.close());
    const manager = await ServiceManager.create({
      configDir: GREETER_CONFIG_DIR,
      env: { ...process.env, GREETER_PORT: String(greeter.port), GREETER_WEIGHT: String(weight) },
      logger: warnings,
    });
    // Deferred after the server, so it runs before it: deregister first, then stop serving.
    cleanup.defer(`deregistering ${greeter.name}`, () => manager.close());
    running.push({ greeter, weight, manager });
    say(
      `${greeter.name} listening on ${address(greeter)}, registered in Nacos as '${SERVICE}' (weight ${weight})`,
    );
  }

  const ports = new Set(running.map(({ greeter }) => greeter.port));
  const deadline = performance.now() + 15_000;
  let instances: readonly ServiceInstance[] = [];
  while (performance.now() < deadline) {
    instances = await caller.registry.getInstances(SERVICE);
    const found = instances.filter((i) => i.healthy && i.host === '127.0.0.1' && ports.has(i.port));
    if (found.length === ports.size) break;
    await sleep(250);
  }
  const ours = instances.filter((i) => ports.has(i.port));
  if (ours.length < ports.size) {
    throw new DemoExit(
      1,
      `the caller found ${ours.length} of the ${ports.size} greeters in Nacos within 15 s`,
    );
  }
  if (instances.length > ours.length) {
    console.error(
      `demo: Nacos also lists ${instances.length - ours.length} other '${SERVICE}' instance(s), left by an earlier run; calls to them may fail until Nacos expires them`,
    );
  }
  say(`caller discovered ${ours.length} instances of '${SERVICE}' in Nacos`);
  return running;
}

/** Makes `count` calls one after another and counts which instance answered each. */
async function runCalls(
  manager: ServiceManager,
  strategy: string,
  count: number,
  addressByPort: ReadonlyMap<number, string>,
): Promise<StrategyRow> {
  const perInstance = new Map<string, number>();
  let failed = 0;
  let firstError: string | undefined;
  for (let i = 0; i < count; i++) {
    try {
      // A name per call, so that consistent_hash spreads the calls over the ring (one key, one instance).
      const greeting = await manager.get<Greeting>(SERVICE, `/hello?name=demo-${i}`);
      const key = addressByPort.get(greeting.port) ?? `port ${greeting.port}`;
      perInstance.set(key, (perInstance.get(key) ?? 0) + 1);
    } catch (error) {
      failed++;
      firstError ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
  }
  if (firstError !== undefined)
    console.error(`demo: ${strategy}: ${failed} calls failed, first: ${firstError}`);
  return { strategy, perInstance, failed };
}

/**
 * Nacos profile: greeter-1 shuts down gracefully mid-run (deregisters, keeps answering what
 * still reaches it), while the caller keeps calling; once discovery has dropped it and no call
 * reaches it any more, its server stops. Returns the calls that failed meanwhile.
 */
async function stopOneGreeter(
  caller: ServiceManager,
  greeters: readonly RunningGreeter[],
  addressByPort: ReadonlyMap<number, string>,
): Promise<number> {
  const stopping = greeters[0]!;
  const stoppedAddress = address(stopping.greeter);
  say();
  say(`Stopping ${stopping.greeter.name} (${stoppedAddress}) mid-run: it deregisters from Nacos and`);
  say('keeps answering until callers have moved; meanwhile the caller keeps calling, round robin:');
  const stoppedAt = performance.now();
  let droppedAfter: number | undefined;
  const unsubscribe = caller.registry.subscribe?.(SERVICE, (list) => {
    const elapsed = (performance.now() - stoppedAt) / 1000;
    if (!list.some((i) => i.port === stopping.greeter.port)) droppedAfter ??= elapsed;
    const shown = list.map((i) => `${i.host}:${i.port}`).join(', ');
    say(
      `  discovery, after ${elapsed.toFixed(1)} s: '${SERVICE}' now has ${list.length} instances: ${shown}`,
    );
  });
  await stopping.manager?.close();

  let failed = 0;
  let lateCalls = 0;
  let moved = false;
  // Windows of 1 s, 10 calls each; at most 12 windows (the caller refreshes its Nacos lists every 5 s).
  for (let window = 1; window <= 12 && !moved; window++) {
    const counts = new Map<string, number>();
    for (let i = 0; i < 10; i++) {
      try {
        const greeting = await caller.get<Greeting>(SERVICE, '/hello?name=demo');
        const key = addressByPort.get(greeting.port) ?? `port ${greeting.port}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
        if (droppedAfter !== undefined && greeting.port === stopping.greeter.port) lateCalls++;
      } catch {
        failed++;
      }
      await sleep(100);
    }
    const elapsed = (performance.now() - stoppedAt) / 1000;
    const shown = [...addressByPort.values()].map((a) => `${a} ${counts.get(a) ?? 0}`).join(', ');
    say(
      `  calls in the second up to ${elapsed.toFixed(1)} s: ${shown}${failed > 0 ? `, ${failed} failed` : ''}`,
    );
    moved = droppedAfter !== undefined && (counts.get(stoppedAddress) ?? 0) === 0;
  }
  unsubscribe?.();
  await stopping.greeter.close();
  say(
    droppedAfter === undefined || !moved
      ? `  the caller still listed or reached ${stoppedAddress} after 12 s; stopped it anyway`
      : `  the caller moved to the others: discovery dropped ${stopping.greeter.name} ${droppedAfter.toFixed(1)} s after it deregistered, ${lateCalls} calls reached it after that, ${failed} calls failed; ${stopping.greeter.name} stopped`,
  );
  return failed;
}

function address(greeter: Greeter): string {
  return `${greeter.host}:${greeter.port}`;
}

function display(path: string): string {
  return relative(process.cwd(), path) || '.';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function oneLine(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  let text =
    error instanceof DemoExit || isConfigError(error) ? error.message : `${error.name}: ${error.message}`;
  const cause = error.cause;
  if (cause instanceof Error && !text.includes(cause.message)) text += ` (cause: ${cause.message})`;
  return text.replace(/\s*\n\s*/g, ' ');
}

async function runDemo(): Promise<void> {
  const cleanup = new Cleanup();
  const watchdog = setTimeout(() => {
    console.error(`demo: still running after ${WATCHDOG_MS / 1000} s; giving up`);
    process.exit(1);
  }, WATCHDOG_MS);
  watchdog.unref();

  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupted) process.exit(signal === 'SIGINT' ? 130 : 143);
    interrupted = true;
    console.error(`\ndemo: ${signal}: shutting down (greeters deregister, servers stop)`);
    void cleanup.run(CLEANUP_MS).then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let code: number;
  try {
    code = await main(cleanup);
  } catch (error) {
    code = error instanceof DemoExit ? error.exitCode : isConfigError(error) ? 2 : 1;
    console.error(`demo: ${oneLine(error)}`);
  }
  if (interrupted) return; // the signal handler exits once cleanup is done
  await cleanup.run(CLEANUP_MS);
  clearTimeout(watchdog);
  // Everything was closed above; exit explicitly so a stray handle can never keep the demo alive.
  process.exit(code);
}

await runDemo();
