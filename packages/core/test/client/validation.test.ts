import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type CallEngine,
  createClient,
  endpoint,
  isServiceCallerError,
  isValidationError,
  ServiceCallerError,
  type StandardSchemaV1,
  typed,
  ValidationError,
} from '../../src/index.js';
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

const User = z.object({ id: z.number(), name: z.string() });
const NewUser = z.object({ name: z.string().min(1), email: z.email() });

function users() {
  return createClient(engine, 'user-service', {
    getItem: endpoint.get('/items/{id}', { path: z.object({ id: z.coerce.number().int().positive() }) }),
    list: endpoint.get('/users', {
      query: z.object({ page: z.number().int().min(1), q: z.string().optional() }),
    }),
    create: endpoint.post('/users', { body: NewUser }),
    rename: endpoint.patch('/users/{id}', { headers: z.object({ 'x-tenant': z.string().regex(/^t\d+$/) }) }),
    user: endpoint.get('/respond/user', { response: User }),
    badUser: endpoint.get('/respond/bad-user', { response: User }),
    upper: endpoint.get('/respond/user', { response: User.transform((u) => u.name.toUpperCase()) }),
    typedUser: endpoint.get('/respond/bad-user', { response: typed<{ id: number }>() }),
    missing: endpoint.get('/respond/status/404', {
      response: z.union([User, z.object({ status: z.literal(404) })]),
    }),
  });
}

/** Runs `call`, expects a ValidationError, and checks that nothing reached the server. */
async function refusedBeforeSending(call: () => Promise<unknown>): Promise<ValidationError> {
  const before = server.seen.length;
  const error = await rejection(call());
  expect(error).toBeInstanceOf(ValidationError);
  expect(server.seen.length).toBe(before);
  return error as ValidationError;
}

describe('request parts', () => {
  it('validates and transforms path parameters', async () => {
    const echo = (await users().getItem({ path: { id: '42' } })) as Echo;
    expect(echo.url).toBe('/items/42');
    const error = await refusedBeforeSending(() => users().getItem({ path: { id: 'abc' } }));
    expect(error).toMatchObject({
      part: 'path',
      endpoint: 'getItem',
      serviceName: 'user-service',
      method: 'GET',
    });
    expect(error.issues.map((issue) => issue.path)).toEqual([['id']]);
    expect(error.message).toMatch(/^GET user-service\.getItem: invalid path \(nothing was sent\): id: /);
  });

  it('validates the query', async () => {
    const echo = (await users().list({ query: { page: 2, q: 'ann' } })) as Echo;
    expect(echo.url).toBe('/users?page=2&q=ann');
    const error = await refusedBeforeSending(() => users().list({ query: { page: 0 } }));
    expect(error.part).toBe('query');
    expect(error.issues[0]?.path).toEqual(['page']);
  });

  it('validates the body and names every failing field', async () => {
    const echo = (await users().create({ body: { name: 'Ann', email: 'ann@example.com' } })) as Echo;
    expect(JSON.parse(echo.body)).toEqual({ name: 'Ann', email: 'ann@example.com' });
    const error = await refusedBeforeSending(() =>
      users().create({ body: { name: '', email: 'nope' } as never }),
    );
    expect(error.part).toBe('body');
    expect(error.issues.map((issue) => issue.path)).toEqual([['name'], ['email']]);
    expect(error.message).toContain('name: ');
    expect(error.message).toContain('email: ');
  });

  it('validates the call headers', async () => {
    const echo = (await users().rename({ path: { id: 1 }, headers: { 'x-tenant': 't7' } })) as Echo;
    expect(echo.headers['x-tenant']).toBe('t7');
    const error = await refusedBeforeSending(() =>
      users().rename({ path: { id: 1 }, headers: { 'x-tenant': 'other' } }),
    );
    expect(error.part).toBe('headers');
    expect(error.issues[0]?.path).toEqual(['x-tenant']);
  });

  it('reports the first refused part, in the order path, query, body, headers', async () => {
    const client = createClient(engine, 'user-service', {
      both: endpoint.post('/x/{id}', { path: z.object({ id: z.string().uuid() }), body: NewUser }),
    });
    const error = await refusedBeforeSending(() => client.both({ path: { id: 'x' }, body: {} as never }));
    expect(error.part).toBe('path');
  });
});

describe('responses', () => {
  it('resolves with the schema output', async () => {
    expect(await users().user()).toEqual({ id: 1, name: 'Ann' });
    expect(await users().upper()).toBe('ANN');
  });

  it('fails with a ValidationError for a response that does not match, after sending', async () => {
    const before = server.seen.length;
    const error = (await rejection(users().badUser())) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(server.seen.length).toBe(before + 1);
    expect(error.part).toBe('response');
    expect(error.issues.map((issue) => issue.path)).toEqual([['id'], ['name']]);
    expect(error.message).toMatch(/^GET user-service\.badUser: invalid response: id: .+; name: /);
    expect(error.message).not.toContain('nothing was sent');
  });

  it('validates nothing for typed<T>()', async () => {
    expect(await users().typedUser()).toEqual({ id: 'one', name: 42 });
  });

  it('validates the body of a non-2xx answer when the call does not throw for it', async () => {
    const client = users();
    // The schema ran: zod's object strips the key it does not declare.
    expect(await client.missing({ throwHttpErrors: false })).toEqual({ status: 404 });
    expect(server.seen.at(-1)?.url).toBe('/respond/status/404');
  });
});

describe('ValidationError', () => {
  it('is a ServiceCallerError with its own code and guard', async () => {
    const error = await rejection(users().getItem({ path: { id: -1 } }));
    expect(error).toBeInstanceOf(ServiceCallerError);
    expect(isServiceCallerError(error)).toBe(true);
    expect(isValidationError(error)).toBe(true);
    expect((error as ValidationError).code).toBe('SC_ERR_VALIDATION');
    expect(isValidationError(new ServiceCallerError('x'))).toBe(false);
  });

  it('never shows the refused value: a quoted token is masked', async () => {
    // A schema whose messages quote the received value, as some libraries do.
    const quoting: StandardSchemaV1<Record<string, string>> = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: (value) => ({
          issues: [
            {
              message: `expected a Basic credential, received "${(value as Record<string, string>).authorization}"`,
              path: [{ key: 'authorization' }],
            },
          ],
        }),
      },
    };
    const client = createClient(engine, 'user-service', { call: endpoint.get('/x', { headers: quoting }) });
    const error = (await rejection(
      client.call({ headers: { authorization: 'Bearer s3cr3t-token' } }),
    )) as ValidationError;
    expect(error.message).not.toContain('s3cr3t');
    expect(error.message).toContain('authorization: expected a Basic credential, received "***"');
    expect(JSON.stringify(error.issues)).not.toContain('s3cr3t');
  });

  it('spells at most five issues out and counts the rest', async () => {
    const many = z.object(Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`f${i}`, z.string()])));
    const client = createClient(engine, 'user-service', { call: endpoint.post('/x', { body: many }) });
    const error = (await rejection(client.call({ body: {} as never }))) as ValidationError;
    expect(error.issues).toHaveLength(7);
    expect(error.message).toContain('f4: ');
    expect(error.message).not.toContain('f5: ');
    expect(error.message).toContain('(and 2 more)');
  });

  it('formats nested and odd issue paths', async () => {
    const nested = z.object({ items: z.array(z.object({ 'a b': z.string() })) });
    const client = createClient(engine, 'user-service', { call: endpoint.post('/x', { body: nested }) });
    const error = (await rejection(
      client.call({ body: { items: [{ 'a b': 1 }] } as never }),
    )) as ValidationError;
    expect(error.issues[0]?.path).toEqual(['items', 0, 'a b']);
    expect(error.message).toContain('items[0]["a b"]: ');
  });
});

describe('schemas of any Standard Schema library', () => {
  const schema = (validate: StandardSchemaV1['~standard']['validate']): StandardSchemaV1 => ({
    '~standard': { version: 1, vendor: 'test', validate },
  });

  it('awaits an asynchronous schema', async () => {
    const asyncPositive = z
      .object({ id: z.coerce.number() })
      .refine(async (v) => v.id > 0, 'must be positive');
    const client = createClient(engine, 'user-service', {
      call: endpoint.get('/items/{id}', { path: asyncPositive }),
    });
    expect(((await client.call({ path: { id: '5' } })) as Echo).url).toBe('/items/5');
    const error = await refusedBeforeSending(() => client.call({ path: { id: '-5' } }));
    expect(error.issues[0]?.message).toBe('must be positive');
  });

  it('reports a schema that throws, synchronously or asynchronously, with the cause', async () => {
    const thrown = new RangeError('boom with secret-value');
    const client = createClient(engine, 'user-service', {
      sync: endpoint.post('/x', {
        body: schema(() => {
          throw thrown;
        }),
      }),
      async: endpoint.post('/x', { body: schema(() => Promise.reject(thrown)) }),
    });
    for (const call of [client.sync, client.async]) {
      const error = await refusedBeforeSending(() => call({ body: 1 }));
      expect(error.part).toBe('body');
      expect(error.cause).toBe(thrown);
      expect(error.message).toContain('the schema threw (RangeError)');
      expect(error.message).not.toContain('secret-value');
    }
  });

  it('reports a schema that returns no result object', async () => {
    const client = createClient(engine, 'user-service', {
      call: endpoint.post('/x', { body: schema(() => null as never) }),
    });
    const error = await refusedBeforeSending(() => client.call({ body: 1 }));
    expect(error.issues).toEqual([{ path: [], message: 'the schema returned no result object' }]);
  });

  it('names an empty issue list and a root issue', async () => {
    const client = createClient(engine, 'user-service', {
      empty: endpoint.post('/x', { body: schema(() => ({ issues: [] })) }),
      root: endpoint.post('/x', { body: schema(() => ({ issues: [{ message: 'bad' }] })) }),
    });
    expect((await refusedBeforeSending(() => client.empty({ body: 1 }))).message).toContain(
      '(root): refused',
    );
    expect((await refusedBeforeSending(() => client.root({ body: 1 }))).message).toContain('(root): bad');
  });
});
