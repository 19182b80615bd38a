import { describe, expect, it } from 'vitest';
import {
  isSecretName,
  maskByKey,
  maskQueryValues,
  maskUserInfo,
  SECRET_MASK,
  SECRET_NAME_FRAGMENTS,
  secretNames,
} from '../src/adapter.js';
import { ConfigError } from '../src/index.js';

describe('isSecretName: the fragments', () => {
  /** The lists each package kept before they shared one (0.1): every word on them stays secret. */
  const FORMER_LISTS = {
    'caller LoggingInterceptor': 'password passwd pwd token secret apikey accesskey session credential auth',
    'interceptor-otel url.full':
      'password passwd pwd token secret apikey accesskey session credential auth signature',
    'admin page':
      'password passwd passphrase pwd secret token credential apikey accesskey privatekey signature session cookie auth',
    'config-yaml errors':
      'password passwd passphrase pwd secret token credential apikey accesskey privatekey auth',
  };

  it.each(Object.entries(FORMER_LISTS))('flags every fragment of the former %s list', (_, words) => {
    for (const word of words.split(' ')) expect(isSecretName(word), word).toBe(true);
  });

  it.each(SECRET_NAME_FRAGMENTS)('flags a name containing %s, in any case style', (fragment) => {
    expect(isSecretName(fragment)).toBe(true);
    expect(isSecretName(`x-${fragment.toUpperCase()}-id`)).toBe(true);
  });

  it.each([
    'password',
    'passwd',
    'passphrase',
    'db-password',
    'Authorization',
    'Proxy-Authorization',
    'Set-Cookie',
    'access_token',
    'accessToken',
    'API_KEY',
    'api.key',
    'Api Key',
    'X-Amz-Signature',
    'private.key',
    'client_secret',
  ])('flags %s (normalized: lower case, without - _ . and spaces)', (name) => {
    expect(isSecretName(name)).toBe(true);
  });

  // Config keys the admin page's and config loader's tests check; here header and query names.
  it.each('accept content-type user-agent traceparent x-request-id tenant_id page q color sig'.split(' '))(
    'leaves %s',
    (name) => {
      expect(isSecretName(name)).toBe(false);
    },
  );
});

describe('secretNames({ lastWordKey: true }): a last word `key` or `keys`', () => {
  const withKeyWord = secretNames({ lastWordKey: true });

  it.each(['key', 'keys', 'encryption-key', 'SIGNING_KEY', 'ssh keys', 'metadataKey'])('flags %s', (name) => {
    expect(withKeyWord(name)).toBe(true);
    expect(isSecretName(name)).toBe(false);
  });

  it.each(['keyPath', 'monkeys', 'turkey', 'key-id', 'keystore'])(
    'leaves %s (not the last word, or part of a word)',
    (name) => {
      expect(withKeyWord(name)).toBe(false);
    },
  );

  it('judges a long name by its last word', () => {
    expect(withKeyWord(`${'-'.repeat(10_000)}key`)).toBe(true);
    expect(withKeyWord(`${'a-'.repeat(5_000)}kex`)).toBe(false);
  });
});

describe('secretNames(options)', () => {
  it('adds fragments, matched like the built-in ones, without replacing them', () => {
    const isSecret = secretNames({ fragments: ['X-Tenant'] });
    expect(isSecret('x_tenant_id')).toBe(true);
    expect(isSecret('XTENANT')).toBe(true);
    expect(isSecret('tenant')).toBe(false);
    expect(isSecret('password')).toBe(true);
  });

  it('drops a fragment that normalizes to nothing instead of matching every name', () => {
    const isSecret = secretNames({ fragments: ['', '-_'] });
    expect(isSecret('page')).toBe(false);
  });

  it('treats exact names as written, case-sensitively', () => {
    const isSecret = secretNames({ exactNames: ['sig', 'AWSAccessKeyId'] });
    expect(isSecret('sig')).toBe(true);
    expect(isSecret('SIG')).toBe(false);
    expect(isSecret('signal')).toBe(false);
  });

  it('gives the same answers past its cache of 1000 names', () => {
    const isSecret = secretNames();
    for (let i = 0; i < 2500; i++) {
      expect(isSecret(`plain-${i}`)).toBe(false);
      expect(isSecret(`token-${i}`)).toBe(true);
    }
    expect(isSecret('plain-3')).toBe(false);
    expect(isSecret('token-3')).toBe(true);
  });

  it.each([
    [{ fragments: 'token' }, 'secretNames.fragments'],
    [{ fragments: [1] }, 'secretNames.fragments'],
    [{ exactNames: [null] }, 'secretNames.exactNames'],
    [{ lastWordKey: 'yes' }, 'secretNames.lastWordKey'],
  ])('refuses %o with a ConfigError naming %s', (options, keyPath) => {
    let error: unknown;
    try {
      secretNames(options as never);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).keyPath).toBe(keyPath);
    expect((error as ConfigError).expected).toMatch(/^(a list of strings|true or false)$/);
  });
});

describe('maskQueryValues', () => {
  it('masks the values of secret keys, keeping the keys and the other pairs', () => {
    expect(maskQueryValues('/x?color=blue&access_token=abc&sig=1;apiKey=zzz#top')).toBe(
      '/x?color=blue&access_token=***&sig=1;apiKey=***#top',
    );
    expect(maskQueryValues('GET http://h/a?token=1 failed, then /b?page=2&pwd=x')).toBe(
      'GET http://h/a?token=*** failed, then /b?page=2&pwd=***',
    );
  });

  it('judges a key percent-decoded, and as written when its escape is malformed', () => {
    expect(maskQueryValues('/x?pass%77ord=abc')).toBe('/x?pass%77ord=***');
    expect(maskQueryValues('/x?token%E0=abc&q%=1')).toBe('/x?token%E0=***&q%=1');
  });

  it('takes the test and the mask from the caller', () => {
    const isSecret = secretNames({ exactNames: ['sig'] });
    expect(maskQueryValues('/x?sig=1&q=2', isSecret, 'REDACTED')).toBe('/x?sig=REDACTED&q=2');
  });

  it('returns text without a pair as it is', () => {
    const text = 'no query here: token is fine';
    expect(maskQueryValues(text)).toBe(text);
    expect(maskQueryValues('a=b')).toBe('a=b');
  });
});

describe('maskUserInfo', () => {
  it('masks the user info of every URL in the text', () => {
    expect(maskUserInfo('http://bob:hunter2@10.0.0.1:8848/nacos and redis://:pw@h')).toBe(
      'http://***@10.0.0.1:8848/nacos and redis://***@h',
    );
  });

  it('hides a password written with a raw / or @ whole', () => {
    expect(maskUserInfo('http://u:a/b@h/x')).toBe('http://***@h/x');
    expect(maskUserInfo('http://u:a@b@h/x')).toBe('http://***@h/x');
  });

  it('stops at the query, so an address in it leaves the host shown', () => {
    expect(maskUserInfo('http://h/x?mail=a@b')).toBe('http://h/x?mail=a@b');
    expect(maskUserInfo('plain text, a@b', 'X')).toBe('plain text, a@b');
  });
});

describe('maskByKey', () => {
  it('masks secret keys at any depth, whole maps and lists below them, and user info in strings', () => {
    const config = {
      nacos: { serverAddr: 'http://u:p@127.0.0.1:8848', username: 'nacos', password: 'hunter2', port: 8848 },
      metadata: { 'db-password': 'x', zone: 'z', emptyToken: '', unsetToken: undefined, nullSecret: null },
      credentials: { user: 'a' },
      tokens: ['t1'],
      list: [{ apiKey: 'k' }, 'http://a:b@h'],
    };
    const before = structuredClone(config);
    expect(maskByKey(config)).toEqual({
      nacos: { serverAddr: 'http://***@127.0.0.1:8848', username: 'nacos', password: '***', port: 8848 },
      metadata: {
        'db-password': '***',
        zone: 'z',
        emptyToken: '***',
        unsetToken: undefined,
        nullSecret: null,
      },
      credentials: '***',
      tokens: '***',
      list: [{ apiKey: '***' }, 'http://***@h'],
    });
    expect(config).toEqual(before);
  });

  it('keeps an empty secret empty when asked, and takes the test, mask and text from the caller', () => {
    const masked = maskByKey(
      { password: '', tenant: 't', note: '/x?tenant=t' },
      {
        keepEmpty: true,
        isSecret: secretNames({ fragments: ['tenant'] }),
        mask: '<hidden>',
        text: (text) => text.toUpperCase(),
      },
    );
    expect(masked).toEqual({ password: '', tenant: '<hidden>', note: '/X?TENANT=T' });
  });

  it('shows a cycle as [cycle] and a value shared by two branches in both', () => {
    const cyclic: Record<string, unknown> = { name: 'a' };
    cyclic.self = cyclic;
    const shared = { zone: 'z' };
    expect(maskByKey({ cyclic, twice: [shared, shared] })).toEqual({
      cyclic: { name: 'a', self: '[cycle]' },
      twice: [{ zone: 'z' }, { zone: 'z' }],
    });
  });

  it('keeps a key named __proto__ as data', () => {
    const masked = maskByKey(JSON.parse('{"__proto__": {"password": "x"}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(masked)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(masked, '__proto__')?.value).toEqual({ password: '***' });
  });

  it('keeps other values as they are unless json is asked for', () => {
    const fn = () => 1;
    expect(maskByKey({ big: 10n, fn, nan: Number.NaN, flag: true })).toEqual({
      big: 10n,
      fn,
      nan: Number.NaN,
      flag: true,
    });
  });

  it('with json, makes plain JSON of Maps, Sets, dates, URLs, bigints and functions', () => {
    const masked = maskByKey(
      {
        map: new Map<string, unknown>([
          ['token', 'x'],
          ['n', 1],
        ]),
        set: new Set(['a']),
        at: new Date(0),
        bad: new Date(Number.NaN),
        url: new URL('http://u:p@h/x?token=1'),
        big: 10n,
        fn: () => 1,
        list: [() => 1, undefined, 1],
        nan: Number.NaN,
        unset: undefined,
      },
      { json: true },
    );
    expect(masked).toEqual({
      map: { token: '***', n: 1 },
      set: ['a'],
      at: '1970-01-01T00:00:00.000Z',
      bad: null,
      url: 'http://***@h/x?token=1',
      big: '10',
      list: [null, null, 1],
      nan: 'NaN',
    });
    expect(Object.keys(masked as object)).not.toContain('unset');
    expect(SECRET_MASK).toBe('***');
  });
});
