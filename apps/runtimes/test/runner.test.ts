import { describe, expect, it } from 'vitest';
import { Runner } from '../src/runner.js';

/*
 * The matrix is only as honest as its runner: a case that fails must be reported failed,
 * whatever the runtime. These run the runner itself (under vitest, on Node).
 */

describe('the runtime runner', () => {
  it('reports passes, failures with their message, skips and exclusions, in order', async () => {
    const runner = new Runner();
    const { describe: suite, it: test, expect: check } = runner.api;
    suite('outer', () => {
      test('passes', () => check(1 + 1).toBe(2));
      test('fails an expectation', () => check({ a: 1 }).toEqual({ a: 2 }));
      test('throws', async () => {
        throw new TypeError('boom');
      });
      test('skips', ({ skip }) => skip('not here'));
      test('is excluded', () => {
        throw new Error('must not run');
      });
    });
    const results = await runner.run({ exclude: { 'outer > is excluded': 'no CA on this runtime' } });
    expect(results.map((r) => [r.name, r.state])).toEqual([
      ['outer > passes', 'pass'],
      ['outer > fails an expectation', 'fail'],
      ['outer > throws', 'fail'],
      ['outer > skips', 'skip'],
      ['outer > is excluded', 'excluded'],
    ]);
    expect(results[1]!.error).toMatch(/AssertionError: expected .* to deeply equal/);
    expect(results[2]!.error).toBe('TypeError: boom');
    expect(results[4]!.error).toBe('no CA on this runtime');
  });

  it('fails a test that outlives its timeout, and goes on with the next', async () => {
    const runner = new Runner();
    runner.api.it('hangs', () => new Promise(() => {}), 50);
    runner.api.it('after', () => {});
    const results = await runner.run();
    expect(results.map((r) => r.state)).toEqual(['fail', 'pass']);
    expect(results[0]!.error).toContain("test 'hangs' timed out after 50 ms");
  });

  it('runs hooks in vitest order and fails the tests of a suite whose beforeAll failed', async () => {
    const runner = new Runner();
    const { describe: suite, it: test, beforeAll, afterAll, afterEach } = runner.api;
    const order: string[] = [];
    suite('a', () => {
      beforeAll(() => void order.push('a:beforeAll'));
      afterEach(() => void order.push('a:afterEach'));
      afterAll(() => void order.push('a:afterAll'));
      suite('b', () => {
        afterEach(() => void order.push('b:afterEach'));
        test('t', () => void order.push('t'));
      });
      suite('broken', () => {
        beforeAll(() => {
          throw new Error('no server');
        });
        afterAll(() => void order.push('broken:afterAll'));
        test('never runs', () => void order.push('never'));
      });
    });
    const results = await runner.run();
    expect(order).toEqual([
      'a:beforeAll',
      't',
      'b:afterEach',
      'a:afterEach',
      'broken:afterAll',
      'a:afterAll',
    ]);
    expect(results.map((r) => [r.name, r.state])).toEqual([
      ['a > b > t', 'pass'],
      ['a > broken > never runs', 'fail'],
    ]);
    expect(results[1]!.error).toBe('beforeAll failed: Error: no server');
  });

  it('has vitest matchers: resolves, rejects, toMatchObject, toBeTypeOf', async () => {
    const runner = new Runner();
    const { it: test, expect: check } = runner.api;
    test('matchers', async () => {
      await check(Promise.resolve(undefined)).resolves.toBeUndefined();
      await check(Promise.reject(new Error('x'))).rejects.toThrow('x');
      check({ a: 1, b: { c: 2 } }).toMatchObject({ b: { c: 2 } });
      check(() => {}).toBeTypeOf('function');
    });
    const [result] = await runner.run();
    expect(result!.state, result!.error).toBe('pass');
  });
});
