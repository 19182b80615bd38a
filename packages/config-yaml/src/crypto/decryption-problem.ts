/**
 * Why a value or a key could not be used for decryption; the loader turns it into a
 * `ConfigError` naming the key path. Never carries the value or the key.
 */
export class DecryptionProblem extends Error {
  constructor(
    readonly expected: string,
    readonly found: string,
  ) {
    super(`expected ${expected}, found ${found}`);
  }
}
