import { describe, expect, it } from 'vitest';
import { hasHeader, withoutQuery } from '../src/adapter.js';
import { HTTP_METHODS, isHttpMethod } from '../src/index.js';

describe('HTTP_METHODS and isHttpMethod', () => {
  it('list the seven methods the engine sends, frozen', () => {
    expect(HTTP_METHODS).toEqual(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']);
    expect(Object.isFrozen(HTTP_METHODS)).toBe(true);
  });

  it('accept exactly those, upper case', () => {
    for (const method of HTTP_METHODS) expect(isHttpMethod(method)).toBe(true);
    for (const other of ['get', 'TRACE', 'CONNECT', '', ' GET', 42, null, undefined, ['GET']]) {
      expect(isHttpMethod(other), String(other)).toBe(false);
    }
  });
});

describe('hasHeader', () => {
  it('finds a header in any spelling', () => {
    expect(hasHeader({ 'Content-Type': 'text/plain' }, 'content-type')).toBe(true);
    expect(hasHeader({ 'content-type': 'text/plain' }, 'content-type')).toBe(true);
    expect(hasHeader({ 'CONTENT-TYPE': 'text/plain' }, 'content-type')).toBe(true);
  });

  it('does not match a name that only starts or ends like it', () => {
    expect(hasHeader({}, 'content-type')).toBe(false);
    expect(hasHeader({ 'content-type-x': 'a', 'x-content-type': 'b', accept: 'c' }, 'content-type')).toBe(
      false,
    );
  });
});

describe('withoutQuery', () => {
  it('drops the query string of a URL or a path', () => {
    expect(withoutQuery('http://10.0.0.7:8080/users?access_token=abc&b=2')).toBe(
      'http://10.0.0.7:8080/users',
    );
    expect(withoutQuery('/users?token=abc')).toBe('/users');
    expect(withoutQuery('/users?')).toBe('/users');
  });

  it('leaves a URL without a query as it is', () => {
    expect(withoutQuery('/users')).toBe('/users');
    expect(withoutQuery('')).toBe('');
  });
});
