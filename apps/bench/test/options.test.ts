import { ConfigError } from '@service-caller/core';
import { describe, expect, it } from 'vitest';
import { CLIENT_IDS } from '../src/clients/catalog.js';
import { parseBenchOptions } from '../src/options.js';

describe('parseBenchOptions', () => {
  it('defaults to a full run of every client with the balancers', () => {
    expect(parseBenchOptions([])).toEqual({
      mode: 'full',
      concurrency: 64,
      warmup: 2000,
      requests: 20_000,
      runs: 5,
      phaseTimeLimitSec: 120,
      clients: CLIENT_IDS,
      balancers: true,
      memoryCalls: 10_000,
    });
  });

  it('takes the memory benchmark size, 0 to skip it, and refuses a negative one', () => {
    expect(parseBenchOptions(['--memory-calls', '0'])!.memoryCalls).toBe(0);
    expect(parseBenchOptions(['--quick'])!.memoryCalls).toBe(2000);
    expect(() => parseBenchOptions(['--memory-calls', '-1'])).toThrow(/--memory-calls/);
  });

  it('makes --quick short and single-run, balancers included', () => {
    expect(parseBenchOptions(['--quick'])).toMatchObject({
      mode: 'quick',
      runs: 1,
      requests: 2000,
      balancers: true,
    });
  });

  it('skips the balancers on --no-balancers', () => {
    expect(parseBenchOptions(['--no-balancers'])).toMatchObject({ balancers: false });
  });

  it('ignores the `--` pnpm forwards', () => {
    expect(parseBenchOptions(['--', '--quick'])).toMatchObject({ mode: 'quick' });
  });

  it('keeps the table order whatever order --clients lists', () => {
    expect(parseBenchOptions(['--clients', 'got,raw-undici'])?.clients).toEqual(['raw-undici', 'got']);
  });

  it('returns undefined for --help', () => {
    expect(parseBenchOptions(['--help'])).toBeUndefined();
  });

  it.each([
    [['--concurrency', '0'], '--concurrency', '"0"'],
    [['--requests', '1e3'], '--requests', '"1e3"'],
    [['--runs=-2'], '--runs', '"-2"'],
    [['--clients', 'raw-undici,curl'], '--clients', '"curl"'],
  ])('refuses %j with a ConfigError naming the flag', (args, keyPath, found) => {
    const error = (() => {
      try {
        parseBenchOptions(args);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ file: '<command line>', keyPath, found });
  });

  it('refuses an unknown flag', () => {
    expect(() => parseBenchOptions(['--fast'])).toThrow(ConfigError);
  });
});
