import { describe, expect, it } from 'vitest';
import { appendQuery } from '../src/engine/query.js';
import { InvalidRequestError } from '../src/index.js';

describe('appendQuery', () => {
  it('leaves the path alone without a query or with an empty one', () => {
    expect(appendQuery('/a', undefined)).toBe('/a');
    expect(appendQuery('/a', {})).toBe('/a');
    expect(appendQuery('/a', { x: undefined, y: null })).toBe('/a');
    expect(appendQuery('/a', { x: [] })).toBe('/a');
    expect(appendQuery('/a?b=1', new URLSearchParams())).toBe('/a?b=1');
  });

  it('encodes keys and values, repeats array keys and skips empty array items', () => {
    expect(appendQuery('/a', { 'a b': 'c d', e: [1, null as never, false, 'x/y'] })).toBe(
      '/a?a%20b=c%20d&e=1&e=false&e=x%2Fy',
    );
  });

  it("joins with '&' after an existing query, directly after a trailing '?' or '&'", () => {
    expect(appendQuery('/a?b=1', { c: 2 })).toBe('/a?b=1&c=2');
    expect(appendQuery('/a?', { c: 2 })).toBe('/a?c=2');
    expect(appendQuery('/a?b=1&', { c: 2 })).toBe('/a?b=1&c=2');
  });

  it('ignores inherited keys', () => {
    const query = Object.create({ inherited: 'no' }) as Record<string, string>;
    query.own = 'yes';
    expect(appendQuery('/a', query)).toBe('/a?own=yes');
  });

  it('refuses values it cannot put in a URL', () => {
    expect(() => appendQuery('/a', { f: (() => 1) as never })).toThrow(InvalidRequestError);
    expect(() => appendQuery('/a', { f: (() => 1) as never })).toThrow('found function');
    expect(() => appendQuery('/a', { i: Number.POSITIVE_INFINITY })).toThrow('found Infinity');
  });
});
