import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CallEngine, createClient, endpoint, InvalidRequestError } from '../../src/index.js';
import type { TestServer } from '../support/test-server.js';
import { clientEngine, type Echo, rejection, startClientServer } from './support.js';

let server: TestServer;
let engine: CallEngine;

beforeAll(async () => {
  server = await startClientServer();
  engine = clientEngine(server.port);
});

afterAll(async () => {
  await engine.close();
  await server.close();
});

const api = () =>
  createClient(engine, 'user-service', {
    getUser: endpoint.get('/users/{id}'),
    getPost: endpoint.get('/users/{userId}/posts/{postId}'),
    search: endpoint.get('/search/{term}.json?v=2'),
    list: endpoint.get('/users'),
    create: endpoint.post('/users'),
  });

describe('path parameters', () => {
  it('fills the template with numbers and strings', async () => {
    const users = api();
    expect(((await users.getUser({ path: { id: 7 } })) as Echo).url).toBe('/users/7');
    expect(((await users.getPost({ path: { userId: 'ann', postId: 3 } })) as Echo).url).toBe(
      '/users/ann/posts/3',
    );
  });

  it('keeps literals around a placeholder and a query written in the template', async () => {
    const echo = (await api().search({ path: { term: 'a b' }, query: { page: 2 } })) as Echo;
    expect(echo.url).toBe('/search/a%20b.json?v=2&page=2');
  });

  it.each([
    ['a/b', '/users/a%2Fb'],
    ['../admin', '/users/..%2Fadmin'],
    ['..%2Fadmin', '/users/..%252Fadmin'],
    ['%2e%2e', '/users/%252e%252e'],
    ['x?admin=true', '/users/x%3Fadmin%3Dtrue'],
    ['x#frag', '/users/x%23frag'],
    ['a\\b', '/users/a%5Cb'],
    ['...', '/users/...'],
    ['ünï', '/users/%C3%BCn%C3%AF'],
    ['line\r\nx-evil: 1', '/users/line%0D%0Ax-evil%3A%201'],
  ])('encodes %j inside its segment', async (value, sent) => {
    const echo = (await api().getUser({ path: { id: value } })) as Echo;
    expect(echo.url).toBe(sent);
    expect(server.seen.at(-1)?.url).toBe(sent);
  });

  it.each([
    ['.', "must not be '.'"],
    ['..', "must not be '..'"],
    ['', 'must not be empty'],
  ])('refuses %j as a whole value and sends nothing', async (value, problem) => {
    const before = server.seen.length;
    const error = await rejection(api().getUser({ path: { id: value } }));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message).toContain(`path parameter 'id' ${problem}`);
    expect((error as Error).message).toContain("service 'user-service' (endpoint getUser)");
    expect(server.seen.length).toBe(before);
  });

  it('refuses a missing parameter, a wrong type, NaN and a lone surrogate, by name', async () => {
    const users = api() as unknown as Record<string, (args?: unknown) => Promise<unknown>>;
    const cases: Array<[unknown, string]> = [
      [undefined, "path parameters 'userId', 'postId' are required"],
      [{ path: { userId: 1 } }, "path parameter 'postId' is missing"],
      [{ path: { userId: true, postId: 1 } }, "path parameter 'userId' must be a string or a finite number"],
      [{ path: { userId: Number.NaN, postId: 1 } }, 'found NaN'],
      [{ path: { userId: 1, postId: '\ud800' } }, "path parameter 'postId' contains a lone UTF-16 surrogate"],
    ];
    for (const [args, message] of cases) {
      const error = await rejection(users.getPost!(args));
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect((error as Error).message).toContain(message);
    }
  });

  it('rejects (never throws synchronously) for a non-object argument', async () => {
    const users = api() as unknown as Record<string, (args?: unknown) => Promise<unknown>>;
    const pending = users.list!('oops');
    expect(pending).toBeInstanceOf(Promise);
    const error = await rejection(pending);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message).toContain("the call's argument must be an object, found string");
  });
});

describe('bodies and query', () => {
  it('sends an object as JSON and keeps the query encoding of the engine', async () => {
    const echo = (await api().create({ body: { name: 'Ann' }, query: { tag: ['a', 'b&c'] } })) as Echo;
    expect(echo.url).toBe('/users?tag=a&tag=b%26c');
    expect(echo.headers['content-type']).toBe('application/json');
    expect(JSON.parse(echo.body)).toEqual({ name: 'Ann' });
  });

  it('sends a string as a JSON string', async () => {
    const echo = (await api().create({ body: 'hi' })) as Echo;
    expect(echo.body).toBe('"hi"');
  });

  it('sends bytes and URLSearchParams as they are', async () => {
    const bytes = (await api().create({
      body: new TextEncoder().encode('raw'),
      headers: { 'content-type': 'text/plain' },
    })) as Echo;
    expect(bytes.body).toBe('raw');
    expect(bytes.headers['content-type']).toBe('text/plain');
    const form = (await api().create({ body: new URLSearchParams({ a: '1 2' }) })) as Echo;
    expect(form.body).toBe('a=1+2');
    expect(form.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('sends no body without one', async () => {
    const echo = (await api().list()) as Echo;
    expect(echo).toMatchObject({ method: 'GET', url: '/users', body: '' });
  });
});
