/** Bounds and shape of one load phase (warm-up or measurement). */
export interface PhaseSpec {
  /** Requests to send; the phase never sends more. */
  readonly requests: number;
  /** Requests in flight at once. */
  readonly concurrency: number;
  /** The phase stops starting requests after this, and stops waiting this long after its start. */
  readonly timeLimitMs: number;
  /** A phase gives up after this many failed calls: the figures would be meaningless anyway. */
  readonly maxErrors: number;
}

/** What one phase measured. */
export interface PhaseResult {
  /** Calls that resolved with the expected body. */
  readonly completed: number;
  readonly errors: number;
  /** The first failure, for the report. */
  readonly firstError: string | undefined;
  /** Whether the time limit ended the phase before `requests` calls completed. */
  readonly timedOut: boolean;
  readonly wallMs: number;
  /** User + system CPU of the whole process (every thread) during the phase, in microseconds. */
  readonly cpuUs: number;
  /** Latency of each completed call in milliseconds, in completion order. */
  readonly latenciesMs: Float64Array;
}

/**
 * Runs `call` `spec.requests` times with `spec.concurrency` calls in flight, bounded in count,
 * errors and time. A call counts as completed only when it resolves with `{ ok: true, ... }`,
 * the upstream's body, so a client that silently returns nothing cannot look fast.
 */
export async function runPhase(call: () => Promise<unknown>, spec: PhaseSpec): Promise<PhaseResult> {
  const latencies = new Float64Array(spec.requests);
  let started = 0;
  let completed = 0;
  let errors = 0;
  let firstError: string | undefined;
  let stopped = false;
  const start = performance.now();
  const deadline = start + spec.timeLimitMs;
  const cpuStart = process.cpuUsage();

  const worker = async (): Promise<void> => {
    while (!stopped && started < spec.requests && errors < spec.maxErrors) {
      if (performance.now() > deadline) {
        stopped = true;
        return;
      }
      started++;
      const t0 = performance.now();
      try {
        const body = await call();
        if (isUpstreamBody(body)) {
          latencies[completed++] = performance.now() - t0;
        } else {
          errors++;
          firstError ??= `unexpected body: ${preview(body)}`;
        }
      } catch (error) {
        errors++;
        firstError ??= describeError(error);
      }
    }
  };

  const workers: Promise<void>[] = [];
  for (let i = 0; i < Math.min(spec.concurrency, spec.requests); i++) workers.push(worker());
  let timer: NodeJS.Timeout | undefined;
  // A call that never settles must not hold the phase past its bound.
  const hardStop = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, spec.timeLimitMs + 1000);
  });
  await Promise.race([Promise.all(workers), hardStop]);
  clearTimeout(timer);
  stopped = true;

  const cpu = process.cpuUsage(cpuStart);
  const wallMs = performance.now() - start;
  return {
    completed,
    errors,
    firstError,
    timedOut: completed + errors < spec.requests && errors < spec.maxErrors,
    wallMs,
    cpuUs: cpu.user + cpu.system,
    latenciesMs: latencies.subarray(0, completed),
  };
}

function isUpstreamBody(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { ok?: unknown }).ok === true;
}

function preview(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.length > 120 ? `${text.slice(0, 120)}...` : text;
}

/** One line for the report: the error's class, code and message, plus its cause's message. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const cause = error.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
  return `${error.name}${typeof code === 'string' ? ` ${code}` : ''}: ${error.message}${cause}`;
}
