/**
 * The command line itself is wrong: a bad flag value, a malformed header, invalid JSON.
 * `run` prints its message in one line and exits with 2.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
