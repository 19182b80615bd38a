import { ConfigError } from '@service-caller/core';
import type { Env } from '../expand.js';
import { DecryptionProblem } from './decryption-problem.js';
import { loadSm2Curve, parseSm2PrivateKey, sm2Decrypt } from './sm2.js';
import { hasSm4, SM4_BLOCK, sm4Decrypt } from './sm4.js';

/** The algorithms of the Python library's `AlgorithmEnum`, spelled as it spells them. */
export const CRYPTO_ALGORITHMS = ['sm4', 'sm4_hex', 'sm2'] as const;

/** How `{encrypted}` values are decrypted. */
export type CryptoAlgorithm = (typeof CRYPTO_ALGORITHMS)[number];

/**
 * The key that decrypts `{encrypted}` values, as the Python library's
 * `ConfigManager(crypto_algorithm=..., key=...)` takes it.
 */
export interface CryptoOptions {
  /**
   * `sm4`: SM4, ciphertext in Base64; `sm4_hex`: SM4, ciphertext in hex; `sm2`: SM2 (C1C2C3, as
   * `gmssl` makes it), ciphertext in Base64. @default 'sm4'
   */
  algorithm?: CryptoAlgorithm;
  /** Secret. SM4: the 16-byte key in Base64. SM2: Base64 of the private key's hex digits. */
  key: string;
  /** SM4 only. @default 'ecb' */
  mode?: 'ecb' | 'cbc';
  /** SM4 CBC only, and required there: the 16-byte IV in Base64. */
  iv?: string;
}

/** Decrypts the text after `{encrypted}`; throws a `DecryptionProblem`. */
export type Decrypt = (ciphertext: string) => string;

/** The environment variables that stand in for the `crypto` option, field by field. */
export const CRYPTO_ENV = {
  algorithm: 'SERVICE_CALLER_CRYPTO_ALGORITHM',
  key: 'SERVICE_CALLER_CRYPTO_KEY',
  mode: 'SERVICE_CALLER_CRYPTO_MODE',
  iv: 'SERVICE_CALLER_CRYPTO_IV',
} as const;

const OPTIONS_SOURCE = '<loadConfig options>';
const ENV_SOURCE = '<environment>';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** Strict Base64 (whitespace ignored), or `undefined`. Node's own decoder would skip bad characters. */
export function decodeBase64(text: string): Buffer | undefined {
  const compact = text.replace(/\s+/g, '');
  return BASE64.test(compact) ? Buffer.from(compact, 'base64') : undefined;
}

/**
 * Builds the decryption from the `crypto` option, else from the `SERVICE_CALLER_CRYPTO_*`
 * variables, else none (`undefined`: an `{encrypted}` value is then an error). Every field is
 * checked now, so a bad key fails the load even before a value needs it.
 *
 * @throws ConfigError naming the option (`crypto.key`) or the variable, never showing a key.
 */
export async function createDecrypt(
  option: CryptoOptions | undefined,
  env: Env,
): Promise<Decrypt | undefined> {
  const fromEnv = option === undefined;
  const where = (field: keyof typeof CRYPTO_ENV) =>
    fromEnv
      ? { file: ENV_SOURCE, keyPath: CRYPTO_ENV[field] }
      : { file: OPTIONS_SOURCE, keyPath: `crypto.${field}` };
  const fail = (field: keyof typeof CRYPTO_ENV, expected: string, found: string): never => {
    throw new ConfigError({ ...where(field), expected, found });
  };
  let fields: { algorithm?: unknown; key?: unknown; mode?: unknown; iv?: unknown };
  if (fromEnv) {
    const read = (name: string) => (env[name] === '' ? undefined : env[name]);
    fields = {
      algorithm: read(CRYPTO_ENV.algorithm),
      key: read(CRYPTO_ENV.key),
      mode: read(CRYPTO_ENV.mode),
      iv: read(CRYPTO_ENV.iv),
    };
    if (fields.key === undefined) {
      for (const field of ['algorithm', 'mode', 'iv'] as const) {
        if (fields[field] !== undefined) {
          fail('key', `${CRYPTO_ENV.key} beside ${CRYPTO_ENV[field]}`, 'it is not set');
        }
      }
      return undefined;
    }
  } else {
    if (typeof option !== 'object' || option === null) {
      throw new ConfigError({
        file: OPTIONS_SOURCE,
        keyPath: 'crypto',
        expected: '{ algorithm, key, mode?, iv? }',
        found: typeof option,
      });
    }
    fields = option;
  }

  const algorithm =
    (typeof fields.algorithm === 'string' ? fields.algorithm.toLowerCase() : fields.algorithm) ?? 'sm4';
  if (!CRYPTO_ALGORITHMS.includes(algorithm as CryptoAlgorithm)) {
    fail('algorithm', `one of ${CRYPTO_ALGORITHMS.join(', ')}`, JSON.stringify(String(algorithm)));
  }
  if (typeof fields.key !== 'string' || fields.key.trim() === '')
    fail('key', 'the key, a Base64 string', 'nothing');
  const key = decodeBase64(fields.key as string);
  if (key === undefined) fail('key', 'the key in Base64', '*** (not Base64)');

  if (algorithm === 'sm2') {
    for (const field of ['mode', 'iv'] as const) {
      if (fields[field] !== undefined) fail(field, `no ${field} with sm2 (it is an SM4 setting)`, 'one');
    }
    let d: bigint;
    try {
      d = parseSm2PrivateKey(key!);
    } catch (error) {
      if (!(error instanceof DecryptionProblem)) throw error;
      return fail('key', error.expected, '***');
    }
    const curve = await loadSm2Curve();
    return (ciphertext) => utf8(sm2Decrypt(base64Ciphertext(ciphertext), d, curve));
  }

  if (!hasSm4()) {
    fail(
      'algorithm',
      'SM4 in the OpenSSL of this Node.js',
      `${algorithm} (this build of OpenSSL has no SM4)`,
    );
  }
  if (key!.length !== SM4_BLOCK)
    fail('key', `an SM4 key of ${SM4_BLOCK} bytes, in Base64`, `*** (${key!.length} bytes)`);
  const mode = typeof fields.mode === 'string' ? fields.mode.toLowerCase() : (fields.mode ?? 'ecb');
  if (mode !== 'ecb' && mode !== 'cbc') fail('mode', 'ecb or cbc', JSON.stringify(String(mode)));
  let iv: Buffer | undefined;
  if (mode === 'cbc') {
    if (typeof fields.iv !== 'string' || fields.iv === '')
      fail('iv', `the ${SM4_BLOCK}-byte IV in Base64 (CBC needs one)`, 'nothing');
    iv = decodeBase64(fields.iv as string);
    if (iv === undefined || iv.length !== SM4_BLOCK) {
      fail(
        'iv',
        `an IV of ${SM4_BLOCK} bytes, in Base64`,
        iv === undefined ? 'text that is not Base64' : `${iv.length} bytes`,
      );
    }
  } else if (fields.iv !== undefined) {
    fail('iv', 'no iv in ECB mode (set mode: cbc to use it)', 'one');
  }
  const decode = algorithm === 'sm4_hex' ? hexCiphertext : base64Ciphertext;
  return (ciphertext) => utf8(sm4Decrypt(decode(ciphertext), key!, mode as 'ecb' | 'cbc', iv));
}

function base64Ciphertext(text: string): Buffer {
  const bytes = decodeBase64(text);
  if (bytes === undefined)
    throw new DecryptionProblem(
      'a Base64 ciphertext after {encrypted}',
      'text that is not Base64 (truncated?)',
    );
  return bytes;
}

function hexCiphertext(text: string): Buffer {
  const compact = text.replace(/\s+/g, '');
  if (!HEX.test(compact) || compact === '') {
    throw new DecryptionProblem(
      'a hex ciphertext after {encrypted} (algorithm sm4_hex)',
      'text that is not hex digits in pairs',
    );
  }
  return Buffer.from(compact, 'hex');
}

function utf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new DecryptionProblem(
      'a value that decrypts to UTF-8 text',
      'bytes that are not UTF-8 (a wrong key, or a damaged value)',
    );
  }
}
