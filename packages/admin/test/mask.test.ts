import { describe, expect, it } from 'vitest';
import { isSecretName, MASK, maskSecrets, maskText } from '../src/index.js';

describe('isSecretName', () => {
  it.each([
    'password',
    'db-password',
    'passwd',
    'pwd',
    'token',
    'accessToken',
    'x-auth-token',
    'Authorization',
    'secret',
    'client_secret',
    'api-key',
    'API_KEY',
    'secretKey',
    'encryption-key',
    'key',
    'keys',
    'credential',
    'credentials',
    'private.key',
    'session-id',
    'cookie',
    'signature',
  ])('flags %s', (name) => {
    expect(isSecretName(name)).toBe(true);
  });

  it.each([
    'lb-type',
    'host',
    'port',
    'zone',
    'weight',
    'keyPath',
    'monkeys',
    'namespace',
    'server-addr',
    'username',
  ])('leaves %s', (name) => {
    expect(isSecretName(name)).toBe(false);
  });
});

describe('maskText', () => {
  it('masks the user info of a URL and secret query values, keeping the rest', () => {
    expect(maskText('http://bob:hunter2@10.0.0.1:8848/nacos')).toBe('http://***@10.0.0.1:8848/nacos');
    expect(maskText('/x?color=blue&access_token=abc&sig=1;apiKey=zzz')).toBe(
      '/x?color=blue&access_token=***&sig=1;apiKey=***',
    );
    expect(maskText('/x?pass%77ord=abc')).toBe('/x?pass%77ord=***');
    expect(maskText('plain text, a@b and a=b')).toBe('plain text, a@b and a=b');
  });

  it('hides a password written with a raw @ or / whole', () => {
    expect(maskText('http://u:p@ss-1@h/x')).toBe('http://***@h/x');
    expect(maskText('redis://:a/b-1@r:6379')).toBe('redis://***@r:6379');
  });
});

describe('maskSecrets', () => {
  it('masks secret keys at any depth, whole maps and lists below them included', () => {
    const masked = maskSecrets({
      serviceCaller: { lbType: 'round_robin', readTimeout: 6 },
      appRegistry: {
        nacos: { serverAddr: 'http://u:p@127.0.0.1:8848', username: 'nacos', password: 'hunter2' },
        static: {
          services: { a: [{ host: '127.0.0.1', port: 1, metadata: { 'db-password': 'x', zone: 'z' } }] },
        },
      },
      credentials: { user: 'a', pass: 'b' },
      tokens: ['t1', 't2'],
      emptyPassword: '',
      unsetToken: undefined,
      headers: { Authorization: 'Bearer abc', accept: 'application/json' },
      endpoint: 'http://h/x?token=abc&page=2',
    });
    expect(masked).toEqual({
      serviceCaller: { lbType: 'round_robin', readTimeout: 6 },
      appRegistry: {
        nacos: { serverAddr: `http://${MASK}@127.0.0.1:8848`, username: 'nacos', password: MASK },
        static: {
          services: { a: [{ host: '127.0.0.1', port: 1, metadata: { 'db-password': MASK, zone: 'z' } }] },
        },
      },
      credentials: MASK,
      tokens: MASK,
      emptyPassword: '',
      headers: { Authorization: MASK, accept: 'application/json' },
      endpoint: `http://h/x?token=${MASK}&page=2`,
    });
    expect(JSON.stringify(masked)).not.toMatch(/hunter2|Bearer|t1|abc/);
  });

  it('makes plain JSON of anything: cycles, Maps, Sets, dates, bigints, functions', () => {
    const cyclic: Record<string, unknown> = { name: 'a' };
    cyclic.self = cyclic;
    const shared = { zone: 'z' };
    const masked = maskSecrets({
      cyclic,
      twice: [shared, shared],
      map: new Map<string, unknown>([
        ['token', 'x'],
        ['n', 1],
      ]),
      set: new Set(['a']),
      at: new Date(0),
      big: 10n,
      fn: () => 1,
      nan: Number.NaN,
    });
    expect(masked).toEqual({
      cyclic: { name: 'a', self: '[cycle]' },
      twice: [{ zone: 'z' }, { zone: 'z' }],
      map: { token: MASK, n: 1 },
      set: ['a'],
      at: '1970-01-01T00:00:00.000Z',
      big: '10',
      nan: 'NaN',
    });
  });

  it('keeps a key named __proto__ as data', () => {
    const masked = maskSecrets(JSON.parse('{"__proto__": {"password": "x"}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(masked)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(masked, '__proto__')?.value).toEqual({ password: MASK });
  });
});
