import { describe, expect, it } from 'vitest';
import { describeValue } from '../src/describe-value.js';
import { formatKeyPath } from '../src/key-path.js';
import { isSecretKey } from '../src/secrets.js';

describe('formatKeyPath', () => {
  it('joins keys with dots and list indices with brackets', () => {
    expect(formatKeyPath(['app-registry', 'static', 'services', 'other-app', 0, 'port'])).toBe(
      'app-registry.static.services.other-app[0].port',
    );
    expect(formatKeyPath([])).toBe('');
  });

  it('quotes keys that would be ambiguous', () => {
    expect(formatKeyPath(['services', 'a.b', 0])).toBe('services["a.b"][0]');
  });

  it('hides whatever lies below a secret key', () => {
    expect(formatKeyPath(['nacos', 'password', 'hunter2'])).toBe('nacos.password.***');
    expect(formatKeyPath(['meta', 'authToken', 0, 'x'])).toBe('meta.authToken.***.***');
  });
});

describe('isSecretKey', () => {
  it.each([
    'password',
    'db-password',
    'PASSWD',
    'token',
    'authToken',
    'secret-key',
    'access_key',
    'api-key',
    'pwd',
  ])('treats %s as a secret', (name) => expect(isSecretKey(name)).toBe(true));
  it.each(['username', 'host', 'app-name', 'namespace', 'metadata', 0])('treats %s as plain', (name) =>
    expect(isSecretKey(name)).toBe(false),
  );
});

describe('describeValue', () => {
  it('renders what was found briefly', () => {
    expect(describeValue(undefined)).toBe('nothing');
    expect(describeValue(null)).toBe('null (nothing)');
    expect(describeValue('')).toBe('an empty string');
    expect(describeValue('x'.repeat(100))).toBe(`"${'x'.repeat(60)}..."`);
    expect(describeValue(Number.NaN)).toBe('NaN');
    expect(describeValue({ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 })).toBe('a map (a, b, c, d, e, ...)');
    expect(describeValue([1])).toBe('a list of 1 item');
  });

  it('hides secrets, and the keys of a secret map', () => {
    expect(describeValue('hunter2', true)).toBe('***');
    expect(describeValue({ hunter2: 1 }, true)).toBe('a map');
    expect(describeValue(`http://u:${'p'.repeat(80)}@h`)).toBe('"http://***@h"');
  });
});
