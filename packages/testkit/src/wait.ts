/** Options of `waitFor`. */
export interface WaitForOptions {
  /** How long to keep trying, in milliseconds. @default 10_000 */
  timeout?: number;
  /** Pause between tries, in milliseconds. @default 50 */
  interval?: number;
  /** What was awaited, for the error when time runs out. @default 'condition' */
  message?: string;
}

/** `waitFor` ran out of time; `cause` holds the last error the check threw, if any. */
export class WaitForTimeoutError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WaitForTimeoutError';
  }
}

/**
 * Calls `check` until it returns (or resolves to) a truthy value without throwing, and returns
 * that value. Each try is bounded by the time left, so a check that hangs cannot stall the test.
 * Throws `WaitForTimeoutError` naming `message` (with the last error as `cause`) after `timeout`.
 *
 * The way tests wait for something that happens eventually (a registry propagating a change, a
 * server seeing a request): an event with a bound, never a bare sleep.
 *
 * @example
 * ```ts
 * const instances = await waitFor(async () => {
 *   const list = await registry.getInstances('users');
 *   return list.length === 3 && list;
 * }, { message: 'three instances of users' });
 * ```
 */
export async function waitFor<T>(check: () => T | Promise<T>, options: WaitForOptions = {}): Promise<T> {
  const { timeout = 10_000, interval = 50, message = 'condition' } = options;
  if (!(timeout > 0) || !Number.isFinite(timeout)) {
    throw new TypeError(`waitFor: timeout must be a positive number of milliseconds, found ${timeout}`);
  }
  if (!(interval >= 0) || !Number.isFinite(interval)) {
    throw new TypeError(`waitFor: interval must be a number of milliseconds >= 0, found ${interval}`);
  }
  const deadline = performance.now() + timeout;
  let lastError: unknown;
  let lastValue: unknown;
  let tries = 0;
  for (;;) {
    tries++;
    try {
      const value = await withinTime(check, Math.max(deadline - performance.now(), MIN_TRY_MS));
      if (value) return value;
      lastValue = value;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    const remaining = deadline - performance.now();
    if (remaining <= 0) break;
    // The last pause is cut short so one more try lands right at the deadline.
    await new Promise((resolve) => setTimeout(resolve, Math.min(interval, remaining)));
  }
  const why =
    lastError === undefined
      ? `the last try returned ${String(lastValue)}`
      : `the last try threw: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
  throw new WaitForTimeoutError(
    `waitFor: ${message} not reached within ${timeout} ms after ${tries} tries (${why})`,
    {
      cause: lastError,
    },
  );
}

const TIMED_OUT = Symbol('timed out');
/** A try started just before the deadline still gets this long to settle. */
const MIN_TRY_MS = 250;

async function withinTime<T>(check: () => T | Promise<T>, ms: number): Promise<T> {
  const result = check();
  if (!(result instanceof Promise)) return result;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(resolve, Math.max(ms, 0), TIMED_OUT);
  });
  try {
    const value = await Promise.race([result, expired]);
    if (value === TIMED_OUT) throw new Error(`the check did not settle within the ${Math.round(ms)} ms left`);
    return value as T;
  } finally {
    clearTimeout(timer);
  }
}
