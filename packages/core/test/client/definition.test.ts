import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type CallEngine,
  createCallEngine,
  createClient,
  endpoint,
  HTTP_METHODS,
  InvalidRequestError,
  isEndpoint,
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
    const made = [
      endpoint.get('/a'),
      endpoint.post('/a'),
      endpoint.put('/a'),
      endpoint.patch('/a'),
      endpoint.delete('/a'),
      endpoint.head('/a'),
      endpoint.options('/a'),
    ];
    expect(made.map((e) => e.method)).toEqual(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
    expect(made.every((e) => isEndpoint(e) && e.path === '/a')).toBe(true);
    expect(isEndpoint({ method: 'GET', path: '/a' })).toBe(false);
    expect(Object.isFrozen(endpoint.get('/a'))).toBe(true);
  });

  it('have one builder per method of HTTP_METHODS, named in lower case', () => {
    for (const method of HTTP_METHODS) {
      const build = (endpoint as unknown as Record<string, (path: string) => { method: string }>)[
        method.toLowerCase()
      ];
      expect(typeof build, method).toBe('function');
      expect(build!('/a').method).toBe(method);
    }
  });

  it('take a method chosen at runtime when endpoint itself is called', () => {
    const method = HTTP_METHODS[1]!;
    expect(endpoint(method, '/a').method).toBe('POST');
    expect(() => endpoint('get' as never, '/a')).toThrow(
      /invalid endpoint method "get": expected one of GET, POST/,
    );
  });

  it('cannot be reassigned: the builder is frozen', () => {
    expect(Object.isFrozen(endpoint)).toBe(true);
    expect(() => {
      (endpoint as unknown as Record<string, unknown>).get = () => 'hijacked';
    }).toThrow(TypeError);
  });

  it('split the template once into literals and names', () => {
    expect(endpoint.get('/users/{id}/posts/{postId}.json').compiled).toEqual({
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
    const error = thrown(() => endpoint.get(template));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.message).toContain(JSON.stringify(template));
    expect(error.message).toContain(problem);
  });

  it('refuse a non-string template, an unknown method, unknown spec keys and non-schemas', () => {
    const cases: Array<[() => unknown, string]> = [
      [() => endpoint.get(42 as never), 'expected a string'],
      [() => endpoint('FETCH' as never, '/a'), 'invalid endpoint method "FETCH"'],
      [() => endpoint('get' as never, '/a'), 'invalid endpoint method "get"'],
      [() => endpoint.get('/a', [] as never), 'the spec must be an object'],
      [() => endpoint.get('/a', { reponse: z.string() } as never), "unknown spec key 'reponse'"],
      [
        () => endpoint.get('/a', { body: { type: 'object' } } as never),
        'spec.body must be a Standard Schema',
      ],
      [
        () => endpoint.get('/a/{id}', { path: typed<{ id: string }>() } as never),
        'spec.path must be a Standard Schema (zod',
      ],
      [
        () => endpoint.get('/a', { defaults: { retry: 3 } as never }),
        'retry must be an object of retry settings, or false, found 3',
      ],
      [
        () => endpoint.get('/a', { defaults: { retry: { attempts: 20 } } }),
        'retry.attempts must be a whole number from 1 to 10 (the first attempt included), found 20',
      ],
      [
        () => endpoint.get('/a', { defaults: { perTryTimeout: 0 } }),
        'perTryTimeout must be a positive number of milliseconds up to 2147483647, found 0',
      ],
      [
        () => endpoint.get('/a', { defaults: { hedgeDelay: true as never } }),
        'hedgeDelay must be a positive number of milliseconds up to 2147483647, or false, found true',
      ],
      [() => endpoint.get('/a', { defaults: { timeout: -1 } }), 'timeout must be a positive number'],
      [
        () => endpoint.get('/a', { defaults: { timeout: Number.POSITIVE_INFINITY } }),
        'timeout must be a positive number',
      ],
      [
        () => endpoint.get('/a', { defaults: { throwHttpErrors: 'no' as never } }),
        'throwHttpErrors must be a boolean',
      ],
      [
        () => endpoint.get('/a', { defaults: { headers: { 'bad name': 'x' } } }),
        'invalid header name "bad name"',
      ],
      [
        () => endpoint.get('/a', { defaults: { headers: { a: 1 as never } } }),
        "headers['a'] must be a string",
      ],
      [() => endpoint.get('/a', { defaults: { headers: { a: 'x\r\nb: y' } } }), 'CR, LF or NUL'],
      [() => endpoint.get('/a', { defaults: { headers: [] as never } }), 'headers must be a plain object'],
      [() => endpoint.get('/a', { defaults: { timout: 5 } as never }), "unknown key 'timout'"],
      [() => endpoint.get('/a', { defaults: 'x' as never }), 'expected an object, found string'],
    ];
    for (const [run, message] of cases) {
      const error = thrown(run);
      expect(error, message).toBeInstanceOf(InvalidRequestError);
      expect(error.message).toContain(message);
    }
  });

  it('never print a default header value', () => {
    const error = thrown(() =>
      endpoint.get('/a', { defaults: { headers: { authorization: 'Bearer top\nsecret' } } }),
    );
    expect(error.message).not.toContain('secret');
  });
});

describe('createClient', () => {
  it('makes a frozen object with one function per endpoint', async () => {
    const target = engine();
    const client = createClient(target, 'svc', { a: endpoint.get('/a'), b: endpoint.post('/b') });
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
        'endpoints.a must be made by endpoint.get()',
      ],
      // biome-ignore lint/suspicious/noThenProperty: proves that such a name is refused
      [() => createClient(target, 'svc', { then: endpoint.get('/a') }), "'then' cannot name an endpoint"],
      [
        () => createClient(target, 'svc', { a: endpoint.get('/a') }, { retries: 1 } as never),
        "unknown key 'retries'",
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
