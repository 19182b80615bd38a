import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CryptoOptions, loadConfig } from '../src/index.js';
import { expectConfigError, recordingLogger, SECRET, useConfigDirs } from './helpers.js';
import { PYTHON_SETUP_TIMEOUT, type PythonCiphertexts, runPython } from './python-library.js';

const dirs = useConfigDirs();
const PLAINTEXTS = [SECRET, 'pässwörd with 16+ bytes', 'x'];

/** The committed fixture: made by `test/python/encrypt.py` with fixed keys (command in the README). */
async function fixture(): Promise<PythonCiphertexts> {
  return JSON.parse(await readFile(new URL('./fixtures/python-ciphertexts.json', import.meta.url), 'utf8'));
}

/** A config folder whose values are the ciphertexts, in an app section, a list and a registry password. */
async function folderWith(ciphertexts: readonly string[]): Promise<string> {
  const [first, second, third] = ciphertexts.map((c) => JSON.stringify(`{encrypted}${c}`));
  return dirs.make({
    'application.yaml': [
      'app-registry:',
      '  nacos:',
      '    server-addr: 127.0.0.1:8848',
      '    username: nacos',
      `    password: ${first}`,
      'my-app:',
      `  secret: ${second}`,
      `  list: [${third}, plain]`,
      '',
    ].join('\n'),
  });
}

const CASES = [
  ['sm4 ECB', 'sm4_ecb', (k: PythonCiphertexts): CryptoOptions => ({ algorithm: 'sm4', key: k.sm4_key })],
  [
    'sm4 CBC',
    'sm4_cbc',
    (k: PythonCiphertexts): CryptoOptions => ({ key: k.sm4_key, mode: 'cbc', iv: k.sm4_iv }),
  ],
  ['sm4_hex', 'sm4_hex', (k: PythonCiphertexts): CryptoOptions => ({ algorithm: 'sm4_hex', key: k.sm4_key })],
  ['sm2', 'sm2', (k: PythonCiphertexts): CryptoOptions => ({ algorithm: 'sm2', key: k.sm2_private_key })],
] as const;

describe('{encrypted} values made by the Python library, live', () => {
  let live: PythonCiphertexts;
  beforeAll(async () => {
    // Fresh keys from the library's own generate_keys, fresh ciphertexts, every run.
    live = await runPython<PythonCiphertexts>('encrypt.py', { plaintexts: PLAINTEXTS });
  }, PYTHON_SETUP_TIMEOUT);

  for (const [label, field, crypto] of CASES) {
    it(`decrypts ${label} everywhere in the tree`, async () => {
      const dir = await folderWith(live[field]);
      const { config, merged } = await loadConfig({
        dir,
        crypto: crypto(live),
        env: {},
        logger: recordingLogger(),
      });
      expect(config.appRegistry.nacos?.password).toBe(PLAINTEXTS[0]);
      expect(merged['my-app']).toEqual({ secret: PLAINTEXTS[1], list: [PLAINTEXTS[2], 'plain'] });
    });
  }
});

describe('{encrypted} values: the committed fixture', () => {
  for (const [label, field, crypto] of CASES) {
    it(`decrypts ${label}`, async () => {
      const made = await fixture();
      const dir = await folderWith(made[field]);
      const { merged } = await loadConfig({ dir, crypto: crypto(made), env: {}, logger: recordingLogger() });
      expect((merged['my-app'] as { secret: string }).secret).toBe(PLAINTEXTS[1]);
    });
  }

  it("decrypts the Python library's README example", async () => {
    const dir = await dirs.make({ 'application.yaml': 'password: "{encrypted}VuFvNZOg/q7ZQoIUGWydBw=="\n' });
    const { merged } = await loadConfig({
      dir,
      crypto: { algorithm: 'sm4', key: 'lSU543Tes6wmjnb+PMVQNg==' },
    });
    expect(merged.password).toBe(SECRET);
  });

  it('takes the key from SERVICE_CALLER_CRYPTO_* when the option is absent', async () => {
    const made = await fixture();
    const dir = await folderWith(made.sm4_cbc);
    const env = {
      SERVICE_CALLER_CRYPTO_KEY: made.sm4_key,
      SERVICE_CALLER_CRYPTO_MODE: 'CBC',
      SERVICE_CALLER_CRYPTO_IV: made.sm4_iv,
    };
    const { config } = await loadConfig({ dir, env, logger: recordingLogger() });
    expect(config.appRegistry.nacos?.password).toBe(SECRET);
  });
});

describe('{encrypted} values that cannot be decrypted', () => {
  const file = (dir: string) => join(dir, 'application.yaml');

  it('refuses a value when no key is given, rather than passing the ciphertext on', async () => {
    const made = await fixture();
    const dir = await folderWith(made.sm4_ecb);
    await expectConfigError(
      () => loadConfig({ dir, env: {}, logger: recordingLogger() }),
      {
        file: file(dir),
        keyPath: 'app-registry.nacos.password',
        expected: 'a key to decrypt this {encrypted} value: the crypto option, or SERVICE_CALLER_CRYPTO_KEY',
        found: 'no key',
      },
      made.sm4_ecb,
    );
  });

  it('refuses a wrong SM4 key, naming the key path and showing neither value nor key', async () => {
    const made = await fixture();
    const dir = await folderWith(made.sm4_ecb);
    const wrongKey = 'AAAAAAAAAAAAAAAAAAAAAA==';
    await expectConfigError(
      () => loadConfig({ dir, crypto: { key: wrongKey }, env: {}, logger: recordingLogger() }),
      {
        file: file(dir),
        keyPath: 'app-registry.nacos.password',
        expected: 'a value encrypted with this SM4 key',
        found: 'bytes that do not decrypt with it (a wrong key, mode or IV, or a damaged value)',
      },
      [...made.sm4_ecb, wrongKey, made.sm4_key],
    );
  });

  it(
    'refuses a wrong SM2 key by its check digest',
    async () => {
      const made = await fixture();
      const live = await runPython<PythonCiphertexts>('encrypt.py', { plaintexts: ['other'] });
      const dir = await folderWith(made.sm2);
      await expectConfigError(
        () =>
          loadConfig({
            dir,
            crypto: { algorithm: 'sm2', key: live.sm2_private_key },
            env: {},
            logger: recordingLogger(),
          }),
        {
          file: file(dir),
          keyPath: 'app-registry.nacos.password',
          expected: 'a value encrypted for this SM2 private key',
          found: 'one whose check digest does not match (a wrong key, or a damaged value)',
        },
        [...made.sm2, live.sm2_private_key, made.sm2_private_key, SECRET],
      );
    },
    PYTHON_SETUP_TIMEOUT,
  );

  it('refuses truncated ciphertexts of every algorithm', async () => {
    const made = await fixture();
    const cut = (c: string, n: number) => c.slice(0, c.length - n);
    const cases: [CryptoOptions, string, RegExp][] = [
      [
        { key: made.sm4_key },
        cut(made.sm4_ecb[1]!, 4),
        /^an SM4 ciphertext: a whole number of 16-byte blocks$/,
      ],
      [{ key: made.sm4_key }, cut(made.sm4_ecb[1]!, 1), /^a Base64 ciphertext after \{encrypted\}$/],
      [{ algorithm: 'sm4_hex', key: made.sm4_key }, cut(made.sm4_hex[0]!, 2), /^an SM4 ciphertext/],
      [
        { algorithm: 'sm2', key: made.sm2_private_key },
        made.sm2[2]!.slice(0, 128),
        /^an SM2 ciphertext \(C1C2C3\) of more than 96 bytes$/,
      ],
    ];
    for (const [crypto, ciphertext, expected] of cases) {
      const dir = await dirs.make({
        'application.yaml': `my-app:\n  db-password: "{encrypted}${ciphertext}"\n`,
      });
      await expectConfigError(
        () => loadConfig({ dir, crypto, env: {}, logger: recordingLogger() }),
        { file: file(dir), keyPath: 'my-app.db-password', expected, found: /truncated|not Base64|bytes/ },
        [ciphertext, made.sm4_key, made.sm2_private_key],
      );
    }
  });

  it('refuses bad keys and settings before any value needs them', async () => {
    const dir = await dirs.make({ 'application.yaml': 'my-app: {}\n' });
    const options = '<loadConfig options>';
    const bad: [CryptoOptions, string, string, string][] = [
      [{ key: 'not base64!' }, 'crypto.key', 'the key in Base64', '*** (not Base64)'],
      [{ key: 'AAAA' }, 'crypto.key', 'an SM4 key of 16 bytes, in Base64', '*** (3 bytes)'],
      [
        { key: 'lSU543Tes6wmjnb+PMVQNg==', mode: 'cbc' },
        'crypto.iv',
        'the 16-byte IV in Base64 (CBC needs one)',
        'nothing',
      ],
      [
        { key: 'lSU543Tes6wmjnb+PMVQNg==', iv: 'AAAA' },
        'crypto.iv',
        'no iv in ECB mode (set mode: cbc to use it)',
        'one',
      ],
      [{ key: 'lSU543Tes6wmjnb+PMVQNg==', mode: 'gcm' as 'cbc' }, 'crypto.mode', 'ecb or cbc', '"gcm"'],
      [
        { algorithm: 'aes' as 'sm4', key: 'lSU543Tes6wmjnb+PMVQNg==' },
        'crypto.algorithm',
        'one of sm4, sm4_hex, sm2',
        '"aes"',
      ],
      [
        { algorithm: 'sm2', key: 'lSU543Tes6wmjnb+PMVQNg==' },
        'crypto.key',
        'an SM2 private key as the Python library takes it: Base64 of its 64 hex digits',
        '***',
      ],
      [{ algorithm: 'sm2', key: 'MDA=' }, 'crypto.key', 'an SM2 private key between 1 and n-2', '***'],
    ];
    for (const [crypto, keyPath, expected, found] of bad) {
      await expectConfigError(
        () => loadConfig({ dir, crypto, env: {}, logger: recordingLogger() }),
        {
          file: options,
          keyPath,
          expected,
          found,
        },
        [crypto.key],
      );
    }
    await expectConfigError(
      () => loadConfig({ dir, env: { SERVICE_CALLER_CRYPTO_ALGORITHM: 'sm2' }, logger: recordingLogger() }),
      {
        file: '<environment>',
        keyPath: 'SERVICE_CALLER_CRYPTO_KEY',
        expected: 'SERVICE_CALLER_CRYPTO_KEY beside SERVICE_CALLER_CRYPTO_ALGORITHM',
        found: 'it is not set',
      },
    );
  });
});
