import { ConfigError } from '@service-caller/core';
import { DecryptionProblem } from './crypto/decryption-problem.js';
import { CRYPTO_ENV, type Decrypt } from './crypto/decryptor.js';
import { formatKeyPath, type PathSegment } from './key-path.js';
import { replaceStrings } from './string-values.js';

/** The prefix that marks an encrypted value, as in the Python library. */
export const ENCRYPTED_PREFIX = '{encrypted}';

/**
 * Replaces every string value that starts with `{encrypted}` by its plain text, anywhere in the
 * tree (lists included). Without a key such a value is an error, never passed on as it is: an
 * application would otherwise log in with the ciphertext as its password.
 *
 * @throws ConfigError naming the file and key path, never the value or the key.
 */
export function decryptValues(
  root: Record<string, unknown>,
  decrypt: Decrypt | undefined,
  fileOf: (path: readonly PathSegment[]) => string,
): void {
  replaceStrings(root, (value, path) => {
    if (!value.startsWith(ENCRYPTED_PREFIX)) return value;
    if (decrypt === undefined) {
      throw new ConfigError({
        file: fileOf(path),
        keyPath: formatKeyPath(path),
        expected: `a key to decrypt this {encrypted} value: the crypto option, or ${CRYPTO_ENV.key}`,
        found: 'no key',
      });
    }
    try {
      return decrypt(value.slice(ENCRYPTED_PREFIX.length));
    } catch (error) {
      if (!(error instanceof DecryptionProblem)) throw error;
      throw new ConfigError({
        file: fileOf(path),
        keyPath: formatKeyPath(path),
        expected: error.expected,
        found: error.found,
      });
    }
  });
}
