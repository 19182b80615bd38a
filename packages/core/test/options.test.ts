import { describe, expect, it } from 'vitest';
import { describeKind, describeValue, type OptionReader, optionReader } from '../src/adapter.js';
import { ConfigError, isConfigError } from '../src/index.js';

/** Runs `check` and returns the ConfigError it throws; fails the test when it throws nothing else. */
function configError(check: () => unknown): ConfigError {
  try {
    check();
  } catch (error) {
    expect(isConfigError(error), `expected a ConfigError, got ${String(error)}`).toBe(true);
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

const yaml = optionReader('<test options>', { keyPrefix: 'app-registry.test' });
const code = optionReader('test() options', { wording: 'code' });

describe('describeValue', () => {
  it.each([
    ['text', '"text"'],
    ['', '""'],
    ['say "hi"', '"say \\"hi\\""'],
    [0, '0'],
    [-1.5, '-1.5'],
    [Number.NaN, 'NaN'],
    [true, 'true'],
    [null, 'null'],
  ])('shows the scalar %j as %s in either wording', (value, shown) => {
    expect(describeValue(value)).toBe(shown);
    expect(describeValue(value, 'code')).toBe(shown);
  });

  it('words nothing and arrays for YAML by default, and for code when asked', () => {
    expect(describeValue(undefined)).toBe('nothing');
    expect(describeValue(['a'])).toBe('a list');
    expect(describeValue(undefined, 'code')).toBe('undefined');
    expect(describeValue(['a'], 'code')).toBe('an array');
  });

  it('shows structures only by their kind, so what they hold is never printed', () => {
    const withSecret = { password: 'hunter2' };
    expect(describeValue(withSecret)).toBe('an object');
    expect(describeValue(['hunter2'])).not.toContain('hunter2');
    expect(describeValue(() => 'hunter2')).toBe('a function');
    expect(describeValue(10n)).toBe('a bigint');
    expect(describeValue(Buffer.from('hunter2'))).toBe('an object');
  });

  it('cuts a long string after 80 characters, so a huge value makes a short message', () => {
    const shown = describeValue('x'.repeat(1_000_000));
    expect(shown).toBe(JSON.stringify(`${'x'.repeat(80)}...`));
  });

  it("words a call's own arguments as the engine's checks report them ('call')", () => {
    expect(describeValue('100', 'call')).toBe('the string "100"');
    expect(describeValue('', 'call')).toBe('an empty string');
    expect(describeValue(new Map(), 'call')).toBe('an object (Map)');
    expect(describeValue(Object.create(null), 'call')).toBe('an object (no prototype)');
    expect(describeValue(() => 1, 'call')).toBe('function');
    expect(describeValue(undefined, 'call')).toBe('undefined');
    expect(describeValue([1], 'call')).toBe('an array');
    expect(describeValue(null, 'call')).toBe('null');
    expect(describeValue(7, 'call')).toBe('7');
  });

  it('quotes names in single quotes when asked, cut like any string', () => {
    expect(describeValue('round-robin', 'code', 'single')).toBe("'round-robin'");
    expect(describeValue('x'.repeat(100), 'code', 'single')).toBe(`'${'x'.repeat(80)}...'`);
    expect(describeValue(42, 'code', 'single')).toBe('42');
  });
});

describe('describeKind', () => {
  it.each([
    ['hunter2', 'a string'],
    ['', 'an empty string'],
    [42, '42'],
    [Number.NaN, 'NaN'],
    [false, 'false'],
    [null, 'null'],
    [undefined, 'undefined'],
    [['hunter2'], 'an array'],
    [{ token: 'hunter2' }, 'an object'],
    [() => 'hunter2', 'a function'],
    [10n, 'a bigint'],
    [Symbol('hunter2'), 'a symbol'],
  ])('names %s as %s, never printing text it holds', (value, shown) => {
    expect(describeKind(value)).toBe(shown);
  });
});

describe('optionReader', () => {
  it('names the file and the prefixed key path, and words the message like every ConfigError', () => {
    const error = configError(() => yaml.port(0, 'port'));
    expect(error.file).toBe('<test options>');
    expect(error.keyPath).toBe('app-registry.test.port');
    expect(error.expected).toBe('an integer port 1-65535');
    expect(error.found).toBe('0');
    expect(error.message).toBe(
      '<test options>: app-registry.test.port: expected an integer port 1-65535, found 0',
    );
  });

  it('builds key paths with and without a prefix', () => {
    expect(yaml.file).toBe('<test options>');
    expect(yaml.keyPath('check.interval')).toBe('app-registry.test.check.interval');
    expect(yaml.keyPath('')).toBe('app-registry.test');
    expect(code.keyPath('readTimeout')).toBe('readTimeout');
    expect(code.keyPath('')).toBe('');
    expect(configError(() => code.milliseconds('1', 'readTimeout')).message).toBe(
      'test() options: readTimeout: expected a positive, finite number of milliseconds, found "1"',
    );
  });

  it('builds errors for checks of its own, with the value described in its wording and a hint', () => {
    const error = yaml.error('tags', 'a list of non-empty strings', ['']);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(
      '<test options>: app-registry.test.tags: expected a list of non-empty strings, found a list',
    );
    expect(yaml.error('', 'an object', 5).keyPath).toBe('app-registry.test');
    expect(code.error('fetch', 'a fetch function', undefined, 'pass one').message).toBe(
      'test() options: fetch: expected a fetch function, found undefined (pass one)',
    );
    expect(yaml.describe(undefined)).toBe('nothing');
    expect(code.describe([])).toBe('an array');
  });

  describe('string', () => {
    it('returns a non-empty string, the fallback for undefined, or undefined', () => {
      expect(yaml.string('consul.internal', 'host')).toBe('consul.internal');
      expect(yaml.string(undefined, 'host', '127.0.0.1')).toBe('127.0.0.1');
      expect(yaml.string(undefined, 'host')).toBeUndefined();
      expect(yaml.string('  ', 'host')).toBe('  ');
    });

    it.each([[''], [null], [5], [['a']]])('refuses %j', (value) => {
      const error = configError(() => yaml.string(value, 'host', 'fallback'));
      expect(error.keyPath).toBe('app-registry.test.host');
      expect(error.expected).toBe('a non-empty string');
      expect(error.found).toBe(describeValue(value));
    });

    it('refuses blank strings too when the reader is told to', () => {
      const strict = optionReader('<strict>', { rejectBlankStrings: true });
      expect(strict.string(' a ', 'group')).toBe(' a ');
      expect(configError(() => strict.string(' \t', 'group')).message).toBe(
        '<strict>: group: expected a non-empty string, found " \\t"',
      );
    });
  });

  describe('secret', () => {
    it('returns any string, the empty one included, and undefined', () => {
      expect(yaml.secret('s3cret', 'token')).toBe('s3cret');
      expect(yaml.secret('', 'token')).toBe('');
      expect(yaml.secret(undefined, 'token')).toBeUndefined();
    });

    it.each([[12345], [['hunter2']], [{ value: 'hunter2' }], [null]])(
      'refuses %j without showing it',
      (value) => {
        const error = configError(() => yaml.secret(value, 'token'));
        expect(error.keyPath).toBe('app-registry.test.token');
        expect(error.expected).toBe('a string');
        expect(error.found).toBe('***');
        expect(error.message).not.toMatch(/12345|hunter2/);
      },
    );
  });

  describe('boolean', () => {
    it('returns a boolean or the fallback', () => {
      expect(yaml.boolean(false, 'secure', true)).toBe(false);
      expect(yaml.boolean(undefined, 'secure', true)).toBe(true);
      expect(code.boolean(undefined, 'tls.rejectUnauthorized')).toBeUndefined();
    });

    it('refuses anything else, in the wording of the reader', () => {
      expect(configError(() => yaml.boolean('yes', 'secure')).message).toBe(
        '<test options>: app-registry.test.secure: expected true or false, found "yes"',
      );
      expect(configError(() => code.boolean('no', 'tls.rejectUnauthorized')).message).toBe(
        'test() options: tls.rejectUnauthorized: expected a boolean, found "no"',
      );
    });
  });

  describe('port', () => {
    it('takes 1 to 65535', () => {
      expect(yaml.port(1, 'port')).toBe(1);
      expect(yaml.port(65535, 'port')).toBe(65535);
      expect(yaml.port(undefined, 'port', 8500)).toBe(8500);
      expect(yaml.port(undefined, 'service-port')).toBeUndefined();
    });

    it.each([[0], [65536], [80.5], ['80'], [null], [Number.NaN]])('refuses %j', (value) => {
      expect(configError(() => yaml.port(value, 'port')).expected).toBe('an integer port 1-65535');
    });
  });

  describe('positiveInteger', () => {
    it('takes integers of 1 or more', () => {
      expect(code.positiveInteger(1, 'pipelining')).toBe(1);
      expect(code.positiveInteger(undefined, 'connections', 100)).toBe(100);
    });

    it.each([[0], [-3], [1.5], [Number.POSITIVE_INFINITY], ['2']])('refuses %j', (value) => {
      const error = configError(() => code.positiveInteger(value, 'connections', 100));
      expect(error.expected).toBe('a positive integer');
      expect(error.found).toBe(describeValue(value, 'code'));
    });
  });

  describe.each<[string, 'seconds' | 'milliseconds']>([
    ['seconds', 'seconds'],
    ['milliseconds', 'milliseconds'],
  ])('%s', (_name, unit) => {
    const check = (reader: OptionReader, value: unknown, fallback?: number) =>
      fallback === undefined ? reader[unit](value, 'wait') : reader[unit](value, 'wait', fallback);

    it('takes finite numbers above 0, fractions included', () => {
      expect(check(yaml, 0.5)).toBe(0.5);
      expect(check(yaml, 600)).toBe(600);
      expect(check(yaml, undefined, 30)).toBe(30);
      expect(check(yaml, undefined)).toBeUndefined();
    });

    it.each([[0], [-1], [Number.POSITIVE_INFINITY], [Number.NaN], ['10'], [null]])('refuses %j', (value) => {
      expect(configError(() => check(yaml, value, 30)).expected).toBe(`a number of ${unit} > 0`);
      expect(configError(() => check(code, value, 30)).expected).toBe(`a positive, finite number of ${unit}`);
    });
  });

  describe('oneOf', () => {
    it('returns the choice given', () => {
      const type: 'ttl' | 'http' = yaml.oneOf('http', 'check.type', ['ttl', 'http']);
      expect(type).toBe('http');
    });

    it('lists two choices with "or" and more as "one of"', () => {
      expect(configError(() => yaml.oneOf('tcp', 'check.type', ['ttl', 'http'])).message).toBe(
        "<test options>: app-registry.test.check.type: expected 'ttl' or 'http', found \"tcp\"",
      );
      expect(configError(() => yaml.oneOf('v2', 'api-version', ['auto', 'v1', 'v3'])).expected).toBe(
        "one of 'auto', 'v1', 'v3'",
      );
      expect(configError(() => yaml.oneOf('b', 'only', ['a'])).expected).toBe("'a'");
    });

    it('refuses undefined: the caller applies its default first', () => {
      expect(configError(() => yaml.oneOf(undefined, 'check.type', ['ttl', 'http'])).found).toBe('nothing');
    });
  });
});
