import { createDecipheriv, getCiphers } from 'node:crypto';
import { DecryptionProblem } from './decryption-problem.js';

/** SM4's key and block size, in bytes. */
export const SM4_BLOCK = 16;

/**
 * Decrypts an SM4 ciphertext as the Python `gmssl` package makes it (`CryptSM4.crypt_ecb` /
 * `crypt_cbc`): PKCS#7 padding, ECB or CBC with a 16-byte IV. Node's OpenSSL does the cipher.
 *
 * The padding is checked strictly (gmssl only strips `last byte` bytes): a ciphertext gmssl made
 * always passes, and a wrong key or a damaged ciphertext almost always fails here instead of
 * yielding garbage.
 */
export function sm4Decrypt(
  ciphertext: Uint8Array,
  key: Uint8Array,
  mode: 'ecb' | 'cbc',
  iv: Uint8Array | undefined,
): Uint8Array {
  if (ciphertext.length === 0 || ciphertext.length % SM4_BLOCK !== 0) {
    throw new DecryptionProblem(
      `an SM4 ciphertext: a whole number of ${SM4_BLOCK}-byte blocks`,
      `${ciphertext.length} bytes (truncated?)`,
    );
  }
  const decipher = createDecipheriv(mode === 'ecb' ? 'sm4-ecb' : 'sm4-cbc', key, mode === 'ecb' ? null : iv!);
  try {
    const head = decipher.update(ciphertext);
    return Buffer.concat([head, decipher.final()]);
  } catch {
    throw new DecryptionProblem(
      'a value encrypted with this SM4 key',
      'bytes that do not decrypt with it (a wrong key, mode or IV, or a damaged value)',
    );
  }
}

/** Whether this Node's OpenSSL has SM4 (some builds, FIPS ones among them, leave it out). */
export function hasSm4(): boolean {
  const ciphers = getCiphers();
  return ciphers.includes('sm4-ecb') && ciphers.includes('sm4-cbc');
}
