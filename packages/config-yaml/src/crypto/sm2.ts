import { createHash, timingSafeEqual } from 'node:crypto';
import type { weierstrass } from '@noble/curves/abstract/weierstrass.js';
import { DecryptionProblem } from './decryption-problem.js';

/**
 * The SM2 curve (GB/T 32918.5-2017, the recommended 256-bit curve), the same parameters as
 * `gmssl`'s `default_ecc_table`. @noble/curves does the point arithmetic (constant-time scalar
 * multiplication, on-curve checks); Node's OpenSSL does SM3.
 */
const SM2_CURVE = {
  p: 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn,
  n: 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n,
  h: 1n,
  a: 0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffcn,
  b: 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n,
  Gx: 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n,
  Gy: 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n,
} as const;

type Curve = ReturnType<typeof weierstrass<bigint>>;

/**
 * The curve's point constructor. @noble/curves is ESM-only, so it is imported when SM2 is first
 * configured, never when this package loads: the CommonJS build then loads on every Node it
 * supports, and a config without SM2 never pays for it.
 */
export async function loadSm2Curve(): Promise<Curve> {
  const { weierstrass: build } = await import('@noble/curves/abstract/weierstrass.js');
  return build<bigint>(SM2_CURVE);
}

const COORDINATE = 32;
const DIGEST = 32;

function sm3(...parts: Uint8Array[]): Buffer {
  const hash = createHash('sm3');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/** The SM2 key derivation function (GB/T 32918.4 §5.4.3) over SM3. */
function kdf(z: Uint8Array, length: number): Buffer {
  const out = Buffer.alloc(length);
  const counter = Buffer.alloc(4);
  for (let offset = 0, ct = 1; offset < length; offset += DIGEST, ct++) {
    counter.writeUInt32BE(ct);
    sm3(z, counter).copy(out, offset, 0, Math.min(DIGEST, length - offset));
  }
  return out;
}

function toBytes(value: bigint): Buffer {
  return Buffer.from(value.toString(16).padStart(COORDINATE * 2, '0'), 'hex');
}

/**
 * The private key as the Python library takes it (`SM2Algorithm(key_b64)`): Base64 of the key's
 * hex digits. Returns the scalar, or throws a `DecryptionProblem` (never showing the key).
 */
export function parseSm2PrivateKey(decoded: Uint8Array): bigint {
  const hex = Buffer.from(decoded).toString('latin1').trim();
  if (!/^[0-9a-fA-F]{1,64}$/.test(hex)) {
    throw new DecryptionProblem(
      'an SM2 private key as the Python library takes it: Base64 of its 64 hex digits',
      `Base64 of ${decoded.length} bytes that are not hex digits`,
    );
  }
  const d = BigInt(`0x${hex}`);
  if (d <= 0n || d >= SM2_CURVE.n - 1n) {
    throw new DecryptionProblem('an SM2 private key between 1 and n-2', 'a number outside that range');
  }
  return d;
}

/**
 * Decrypts an SM2 ciphertext as `gmssl`'s `CryptSM2.encrypt` makes it (mode 0, C1C2C3): C1 the
 * 64-byte point x||y without the 0x04 prefix, C2 the masked message, C3 the SM3 digest of
 * x2||M||y2. GB/T 32918.4 §7.1. Unlike gmssl, C3 is checked, so a wrong key or a damaged value
 * is an error rather than garbage.
 */
export function sm2Decrypt(ciphertext: Uint8Array, d: bigint, curve: Curve): Uint8Array {
  if (ciphertext.length <= 2 * COORDINATE + DIGEST) {
    throw new DecryptionProblem(
      `an SM2 ciphertext (C1C2C3) of more than ${2 * COORDINATE + DIGEST} bytes`,
      `${ciphertext.length} bytes (truncated?)`,
    );
  }
  const c1 = ciphertext.subarray(0, 2 * COORDINATE);
  const c2 = ciphertext.subarray(2 * COORDINATE, ciphertext.length - DIGEST);
  const c3 = ciphertext.subarray(ciphertext.length - DIGEST);
  let shared: { x: bigint; y: bigint };
  try {
    const point = curve.fromBytes(Uint8Array.of(0x04, ...c1));
    point.assertValidity();
    shared = point.multiply(d).toAffine();
  } catch {
    throw new DecryptionProblem('an SM2 ciphertext whose C1 is a point of the curve', 'bytes that are not');
  }
  const x2 = toBytes(shared.x);
  const y2 = toBytes(shared.y);
  const t = kdf(Buffer.concat([x2, y2]), c2.length);
  if (t.every((byte) => byte === 0)) {
    throw new DecryptionProblem('an SM2 ciphertext', 'one whose derived key is all zeros');
  }
  const message = Buffer.alloc(c2.length);
  for (let i = 0; i < c2.length; i++) message[i] = c2[i]! ^ t[i]!;
  if (!timingSafeEqual(sm3(x2, message, y2), c3)) {
    throw new DecryptionProblem(
      'a value encrypted for this SM2 private key',
      'one whose check digest does not match (a wrong key, or a damaged value)',
    );
  }
  return message;
}
