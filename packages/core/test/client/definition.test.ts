import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type CallEngine,
  createCallEngine,
  createClient,
  del,
  endpoint,
  get,
  head,
  InvalidRequestError,
  isEndpoint,
  options,
  patch,
  post,
  put,
  roundRobin,
  silentLogger,
  staticRegistry,
  typed,
} from '../../src/index.js';
import { nodeHttpTransport } from '../support/node-http-transport.js';

function engine(): CallEngine {
  return createCallEngine({
    discovery: staticRegistry({ services: {}, logger: silentLogger }),
    transport: nodeHttpTransport(),
    loadBalancer: roundRobin(),
    logger: silentLogger,
  });
}

function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('endpoint builders', () => {
  it('make endpoints with their method and template', () => {
    const made = [get('/a'), post('/a'), put('/a'), patch('/a'), del('/a'), head('/a'), options('/a')];
    expect(made.map((e) => e.method)).toEqual(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
    expect(made.every((e) => isEndpoint(e) && e.path === '/a')).toBe(true);
    expect(isEndpoint({ method: 'GET', path: '/a' })).toBe(false);
    expect(Object.isFrozen(get('/a'))).toBe(true);
  });

  it('split the template once into literals and names', () => {
    expect(get('/users/{id}/posts/{postId}.json').compiled).toEqual({
      template: '/users/{id}/posts/{postId}.json',
      literals: ['/users/', '/posts/', '.json'],
      names: ['id', 'postId'],
    });
  });

  it.each([
    ['users', "must start with '/'"],
    ['http://evil/x', "must start with '/'"],
    ['//evil/x', "must not start with '//'"],
    ['/a b', 'white space'],
    ['/a\\b', 'backslash'],
    ['/a#b', "'#'"],
    ['/a/{id', "'{' at 3 is never closed"],
    ['/a/id}', "'}' at 5 closes no '{'"],
    ['/a/{}', 'placeholder {} must be a name'],
    ['/a/{1x}', 'placeholder {1x} must be a name'],
    ['/a/{a{b}', 'placeholder {a{b} must be a name'],
  ])('refuse the template %j', (template, problem) => {
    const error = thrown(() => get(template));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.message).toContain(JSON.stringify(template));
    expect(error.message).toContain(problem);
  });

  it('refuse a non-string template, an unknown method, unknown spec keys and non-schemas', () => {
    const cases: Array<[() => unknown, string]> = [
      [() => get(42 as never), 'expected a string'],
      [() => endpoint('FETCH' as never, '/a'), 'invalid endpoint method "FETCH"'],
      [() => endpoint('get' as never, '/a'), 'invalid endpoint method "get"'],
      [() => get('/a', [] as never), 'the spec must be an object'],
      [() => get('/a', { reponse: z.string() } as never), "unknown spec key 'reponse'"],
      [() => get('/a', { body: { type: 'object' } } as never), 'spec.body must be a Standard Schema'],
      [
        () => get('/a/{id}', { path: typed<{ id: string }>() } as never),
        'spec.path must be a Standard Schema (zod',
      ],
      [() => get('/a', { defaults: { retry: 3 } as never }), 'retry is reserved'],
      [() => get('/a', { defaults: { timeout: -1 } }), 'timeout must be a positive number'],
      [
        () => get('/a', { defaults: { timeout: Number.POSITIVE_INFINITY } }),
        'timeout must be a positive number',
      ],
      [
        () => get('/a', { defaults: { throwHttpErrors: 'no' as never } }),
        'throwHttpErrors must be a boolean',
      ],
      [() => get('/a', { defaults: { headers: { 'bad name': 'x' } } }), 'invalid header name "bad name"'],
      [() => get('/a', { defaults: { headers: { a: 1 as never } } }), "headers['a'] must be a string"],
      [() => get('/a', { defaults: { headers: { a: 'x\r\nb: y' } } }), 'CR, LF or NUL'],
      [() => get('/a', { defaults: { headers: [] as never } }), 'headers must be a plain object'],
      [() => get('/a', { defaults: { timout: 5 } as never }), "unknown key 'timout'"],
      [() => get('/a', { defaults: 'x' as never }), 'expected an object, found string'],
    ];
    for (const [run, message] of cases) {
      const error = thrown(run);
      expect(error, message).toBeInstanceOf(InvalidRequestError);
      expect(error.message).toContain(message);
    }
  });

  it('never print a default header value', () => {
    const error = thrown(() => get('/a', { defaults: { headers: { authorization: 'Bearer top\nsecret' } } }));
    expect(error.message).not.toContain('secret');
  });
});

describe('createClient', () => {
  it('makes a frozen object with one function per endpoint', async () => {
    const target = engine();
    const client = createClient(target, 'svc', { a: get('/a'), b: post('/b') });
    expect(Object.keys(client)).toEqual(['a', 'b']);
    expect(typeof client.a).toBe('function');
    expect(Object.isFrozen(client)).toBe(true);
    await target.close();
  });

  it('refuses a bad target, service name, endpoint map, endpoint or name', () => {
    const target = engine();
    const cases: Array<[() => unknown, string]> = [
      [() => createClient({} as never, 'svc', {}), 'invalid client target'],
      [() => createClient(null as never, 'svc', {}), 'invalid client target'],
      [() => createClient(target, '', {}), 'serviceName must be a non-empty string'],
      [() => createClient(target, 'a/b', {}), 'found "a/b"'],
      [() => createClient(target, 42 as never, {}), 'found number'],
      [() => createClient(target, 'svc', null as never), 'endpoints must be an object'],
      [
        () => createClient(target, 'svc', { a: { method: 'GET', path: '/a' } } as never),
        'endpoints.a must be made by get()',
      ],
      // biome-ignore lint/suspicious/noThenProperty: proves that such a name is refused
      [() => createClient(target, 'svc', { then: get('/a') }), "'then' cannot name an endpoint"],
      [
        () => createClient(target, 'svc', { a: get('/a') }, { retry: 1 } as never),
        'client defaults for service',
      ],
    ];
    for (const [run, message] of cases) {
      const error = thrown(run);
      expect(error, message).toBeInstanceOf(InvalidRequestError);
      expect(error.message).toContain(message);
    }
    return target.close();
  });
});
