/** The bound on any single wait in the suite. A transport that hangs fails with a message, not a runner timeout. */
const WAIT_BOUND = 10_000;

/** Resolves or rejects like `promise`, or rejects naming `what` when it takes longer than `ms`. */
export async function within<T>(promise: Promise<T>, what: string, ms = WAIT_BOUND): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing happened within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** The error `promise` rejects with; fails the test when it resolves or hangs. */
export async function rejectionOf(
  promise: Promise<unknown>,
  what: string,
  ms = WAIT_BOUND,
): Promise<unknown> {
  const settled = await within(
    promise.then(
      (value) => ({ resolved: true as const, value }),
      (error: unknown) => ({ resolved: false as const, error }),
    ),
    what,
    ms,
  );
  if (settled.resolved) throw new Error(`${what}: expected a rejection, but it resolved`);
  return settled.error;
}
