import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import type { UnlistedHttpMethod } from '../../src/http/methods.js';
import {
  type CallEngine,
  type Client,
  clientClass,
  createClient,
  type Endpoint,
  type EndpointBuilder,
  endpoint,
  type HttpMethod,
  type PathParamNames,
  type StandardSchemaV1,
  typed,
} from '../../src/index.js';

declare const engine: CallEngine;

interface User {
  id: number;
  name: string;
}

const UserSchema = z.object({ id: z.number(), name: z.string() });
const NewUser = z.object({ name: z.string().min(1), email: z.email() });
const ListQuery = z.object({ page: z.coerce.number().int().default(1), q: z.string().optional() });
const Tenant = z.object({ 'x-tenant': z.string() });

const users = createClient(engine, 'user-service', {
  getUser: endpoint.get('/users/{id}'),
  getTypedUser: endpoint.get('/users/{id}', { response: typed<User>() }),
  listUsers: endpoint.get('/users', { query: ListQuery, response: z.array(UserSchema) }),
  createUser: endpoint.post('/users', { body: NewUser, response: UserSchema }),
  replaceUser: endpoint.put('/users/{id}', { body: typed<User>() }),
  renameUser: endpoint.patch('/users/{id}', { body: z.object({ name: z.string() }), headers: Tenant }),
  deleteUser: endpoint.delete('/users/{id}'),
  getPost: endpoint.get('/users/{userId}/posts/{postId}'),
  byNumericId: endpoint.get('/items/{id}', { path: z.object({ id: z.coerce.number().int() }) }),
  ping: endpoint.head('/ping'),
  search: endpoint('GET', '/search/{term}.json'),
});

describe('path parameters', () => {
  it('are inferred from the template', () => {
    expectTypeOf<PathParamNames<'/users/{id}/posts/{postId}'>>().toEqualTypeOf<'id' | 'postId'>();
    expectTypeOf<PathParamNames<'/users'>>().toEqualTypeOf<never>();
    expectTypeOf<PathParamNames<'/search/{term}.json'>>().toEqualTypeOf<'term'>();
    expectTypeOf(users.getUser).parameter(0).toEqualTypeOf<{
      path: { id: string | number };
      query?: import('../../src/index.js').QueryParams | URLSearchParams;
      body?: unknown;
      headers?: Readonly<Record<string, string>>;
      timeout?: number;
      signal?: AbortSignal;
      protocol?: 'http' | 'https';
      throwHttpErrors?: boolean;
      retry?: import('../../src/index.js').RetryOptions | false;
      perTryTimeout?: number;
      hedgeDelay?: number | false;
    }>();
  });

  it('accepts strings and numbers for each parameter', () => {
    users.getUser({ path: { id: 7 } });
    users.getUser({ path: { id: 'abc' } });
    users.getPost({ path: { userId: 1, postId: 'p' } });
    users.search({ path: { term: 'x' } });
  });

  it('refuses a missing or extra parameter, or a missing path', () => {
    // @ts-expect-error the argument is required: the template has a parameter
    users.getUser();
    // @ts-expect-error `path` is required
    users.getUser({});
    // @ts-expect-error `postId` is missing
    users.getPost({ path: { userId: 1 } });
    // @ts-expect-error `extra` is not a parameter of the template
    users.getUser({ path: { id: 1, extra: 2 } });
    // @ts-expect-error a boolean is not a path value
    users.getUser({ path: { id: true } });
    // @ts-expect-error `ping` has no parameters, so no `path`
    users.ping({ path: { id: 1 } });
  });

  it('does not require an argument when nothing is required', () => {
    expectTypeOf(users.ping).parameters.toEqualTypeOf<[args?: Parameters<typeof users.ping>[0]]>();
    users.ping();
    users.listUsers();
  });

  it('takes the input type of a path schema', () => {
    users.byNumericId({ path: { id: '42' } });
    // @ts-expect-error `id` is required by the schema
    users.byNumericId({ path: {} });
  });
});

describe('query, body and headers', () => {
  it('takes the input type of the schema', () => {
    expectTypeOf(users.listUsers).parameter(0).exclude<undefined>().toHaveProperty('query');
    users.listUsers({ query: { page: 2, q: 'ann' } });
    users.listUsers({ query: {} });
    // @ts-expect-error `q` must be a string
    users.listUsers({ query: { q: 1 } });
  });

  it('requires a body its schema requires', () => {
    users.createUser({ body: { name: 'Ann', email: 'ann@example.com' } });
    // @ts-expect-error the body is required
    users.createUser({});
    // @ts-expect-error `email` is missing
    users.createUser({ body: { name: 'Ann' } });
    users.replaceUser({ path: { id: 1 }, body: { id: 1, name: 'Ann' } });
    // @ts-expect-error typed<User>() types the body
    users.replaceUser({ path: { id: 1 }, body: { id: 1 } });
  });

  it('types headers from a schema', () => {
    users.renameUser({ path: { id: 1 }, body: { name: 'b' }, headers: { 'x-tenant': 't1' } });
    // @ts-expect-error the header schema requires x-tenant
    users.renameUser({ path: { id: 1 }, body: { name: 'b' }, headers: {} });
  });

  it('leaves body unknown and query loose without a spec', () => {
    expectTypeOf(users.getUser).parameter(0).toHaveProperty('body').toEqualTypeOf<unknown>();
    users.getUser({ path: { id: 1 }, query: { page: 1, tags: ['a', 'b'], none: undefined } });
    users.getUser({ path: { id: 1 }, query: new URLSearchParams('a=1') });
  });

  it('refuses unknown call options', () => {
    // @ts-expect-error `json` is not an option of a declarative call: use `body`
    users.getUser({ path: { id: 1 }, json: {} });
  });
});

describe('results', () => {
  it('is the output type of the response schema', () => {
    expectTypeOf(users.listUsers).returns.resolves.toEqualTypeOf<{ id: number; name: string }[]>();
    expectTypeOf(users.createUser).returns.resolves.toEqualTypeOf<{ id: number; name: string }>();
  });

  it('is the type given to typed<T>()', () => {
    expectTypeOf(users.getTypedUser).returns.resolves.toEqualTypeOf<User>();
  });

  it('is unknown without a response spec', () => {
    expectTypeOf(users.getUser).returns.resolves.toEqualTypeOf<unknown>();
    expectTypeOf(users.deleteUser).returns.resolves.toEqualTypeOf<unknown>();
  });
});

describe('definitions', () => {
  it('refuses a path schema that does not produce the template parameters', () => {
    // @ts-expect-error the schema produces no `id`
    endpoint.get('/users/{id}', { path: z.object({ other: z.string() }) });
  });

  it('refuses an unknown spec key and a retry that is not retry settings', () => {
    // @ts-expect-error a typo of `response`
    endpoint.get('/users', { reponse: UserSchema });
    // @ts-expect-error retry takes RetryOptions or false, not a count
    endpoint.get('/users', { defaults: { retry: 3 } });
    endpoint.post('/users', {
      defaults: { retry: { methods: ['POST'] }, perTryTimeout: 500, hedgeDelay: false },
    });
  });

  it('refuses a type argument in place of the path (no partial inference in TypeScript)', () => {
    // @ts-expect-error use { response: typed<User>() }
    endpoint.get<User>('/users/{id}');
  });

  it('accepts any Standard Schema', () => {
    const custom: StandardSchemaV1<string, number> = {
      '~standard': { version: 1, vendor: 'custom', validate: (value) => ({ value: Number(value) }) },
    };
    const client = createClient(engine, 'svc', { count: endpoint.get('/count', { response: custom }) });
    expectTypeOf(client.count).returns.resolves.toEqualTypeOf<number>();
  });
});

describe('client class', () => {
  class UserClient extends clientClass('user-service', {
    getUser: endpoint.get('/users/{id}', { response: UserSchema }),
  }) {
    async userName(id: number): Promise<string> {
      return (await this.getUser({ path: { id } })).name;
    }
  }

  it('has the endpoint methods and its own', () => {
    const client = new UserClient(engine);
    expectTypeOf(client.getUser).returns.resolves.toEqualTypeOf<{ id: number; name: string }>();
    expectTypeOf(client.userName).returns.resolves.toEqualTypeOf<string>();
    // @ts-expect-error the path is required
    client.getUser({});
  });

  it('is the same type as createClient', () => {
    const endpoints = { getUser: endpoint.get('/users/{id}') };
    const Base = clientClass('svc', endpoints);
    expectTypeOf(new Base(engine)).toEqualTypeOf<Client<typeof endpoints>>();
  });
});

describe('the endpoint builder', () => {
  it('has one builder per HttpMethod, and HTTP_METHODS lists every HttpMethod', () => {
    expectTypeOf<Exclude<keyof EndpointBuilder, keyof Function>>().toEqualTypeOf<Lowercase<HttpMethod>>();
    expectTypeOf<UnlistedHttpMethod>().toEqualTypeOf<never>();
  });

  it('types each endpoint with its method and literal path', () => {
    expectTypeOf(endpoint.delete('/users/{id}')).toEqualTypeOf<Endpoint<'DELETE', '/users/{id}', {}>>();
    expectTypeOf(endpoint('PATCH', '/a')).toEqualTypeOf<Endpoint<'PATCH', '/a', {}>>();
  });

  it('has no builder named del any more', () => {
    // @ts-expect-error `endpoint.delete`, not `del`
    endpoint.del('/users/{id}');
  });
});
