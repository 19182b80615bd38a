import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type CallEngine,
  clientClass,
  createClient,
  endpoint,
  InvalidRequestError,
  type RequestContext,
  type ServiceInterceptor,
  ServiceUnavailableError,
  ValidationError,
} from '../../src/index.js';
import { recordingBalancer } from '../support/recording.js';
import type { TestServer } from '../support/test-server.js';
import { clientEngine, type Echo, rejection, startClientServer } from './support.js';

let server: TestServer;
const engines: CallEngine[] = [];

beforeAll(async () => {
  server = await startClientServer();
});

afterAll(async () => {
  await Promise.all(engines.map((engine) => engine.close()));
  await server.close();
});

/** An engine whose interceptor records, per stage, what it saw of each call. */
function observedEngine() {
  const seen: Array<{ stage: string; endpoint: unknown; path: string; error: unknown }> = [];
  const record = (stage: string) => (ctx: RequestContext) => {
    seen.push({ stage, endpoint: ctx.attributes.endpoint, path: ctx.path, error: ctx.error });
  };
  const observer: ServiceInterceptor = {
    name: 'observer',
    beforeRequest: record('before'),
    handleException: record('handle'),
    afterResponse: record('after'),
  };
  const balancer = recordingBalancer();
  const engine = clientEngine(server.port, {
    interceptors: [observer],
    loadBalancer: balancer,
    retry: false,
  });
  engines.push(engine);
  return { engine, seen, balancer };
}

describe('calls through the engine', () => {
  it('name the endpoint in ctx.attributes for every interceptor stage', async () => {
    const { engine, seen } = observedEngine();
    const users = createClient(engine, 'user-service', { getUser: endpoint.get('/users/{id}') });
    await users.getUser({ path: { id: 7 } });
    expect(seen).toEqual([
      { stage: 'before', endpoint: 'getUser', path: '/users/7', error: undefined },
      { stage: 'after', endpoint: 'getUser', path: '/users/7', error: undefined },
    ]);
  });

  it('give each call its own attributes: what an interceptor writes does not leak to the next call', async () => {
    const { engine } = observedEngine();
    const writes: unknown[] = [];
    engine.addInterceptor({
      name: 'writer',
      beforeRequest(ctx) {
        writes.push(ctx.attributes.mark);
        ctx.attributes.mark = 'set';
      },
    });
    const users = createClient(engine, 'user-service', { list: endpoint.get('/users') });
    await users.list();
    await users.list();
    expect(writes).toEqual([undefined, undefined]);
  });

  it('leave manager-style calls without an endpoint attribute', async () => {
    const { engine, seen } = observedEngine();
    await engine.request('GET', 'user-service', '/users');
    expect(seen.map((s) => s.endpoint)).toEqual([undefined, undefined]);
  });

  it('go through the load balancer and let handleException see HTTP errors with the endpoint', async () => {
    const { engine, seen, balancer } = observedEngine();
    const client = createClient(engine, 'user-service', { fail: endpoint.get('/respond/status/503') });
    await rejection(client.fail());
    expect(balancer.picks).toHaveLength(1);
    expect(seen.map((s) => [s.stage, s.endpoint])).toEqual([
      ['before', 'fail'],
      ['handle', 'fail'],
      ['after', 'fail'],
    ]);
  });

  it('let a handleException fallback be validated like a response', async () => {
    const { engine } = observedEngine();
    engine.addInterceptor({
      name: 'fallback',
      handleException(ctx) {
        ctx.error = undefined;
        ctx.result = ctx.attributes.endpoint === 'good' ? { id: 0, name: 'fallback' } : { id: 'x' };
      },
    });
    const User = z.object({ id: z.number(), name: z.string() });
    const client = createClient(engine, 'user-service', {
      good: endpoint.get('/respond/status/500', { response: User }),
      bad: endpoint.get('/respond/status/500', { response: User }),
    });
    expect(await client.good()).toEqual({ id: 0, name: 'fallback' });
    expect(await rejection(client.bad())).toBeInstanceOf(ValidationError);
  });

  it('never reach the engine when a request part is refused', async () => {
    const { engine, seen } = observedEngine();
    const client = createClient(engine, 'user-service', {
      create: endpoint.post('/users', { body: z.object({ n: z.string() }) }),
    });
    await rejection(client.create({ body: { n: 1 } as never }));
    await rejection(
      client.create({ body: { n: 'x' }, path: 'ignored' } as never).then(() => {
        throw new Error('sent');
      }),
    );
    expect(seen.filter((s) => s.stage === 'before')).toHaveLength(1);
  });

  it('pass engine errors through unchanged', async () => {
    const { engine } = observedEngine();
    const client = createClient(engine, 'no-such-service', { call: endpoint.get('/x') });
    expect(await rejection(client.call())).toBeInstanceOf(ServiceUnavailableError);
  });
});

describe('clientClass', () => {
  const User = z.object({ id: z.number(), name: z.string() });

  class UserClient extends clientClass('user-service', {
    getUser: endpoint.get('/respond/user', { response: User }),
    echo: endpoint.get('/echo/{id}'),
  }) {
    async userName(): Promise<string> {
      return (await this.getUser()).name;
    }
  }

  it('makes instances with the endpoint methods and the subclass’s own', async () => {
    const { engine, seen } = observedEngine();
    const users = new UserClient(engine);
    expect(users).toBeInstanceOf(UserClient);
    expect(await users.userName()).toBe('Ann');
    expect(((await users.echo({ path: { id: 'a/b' } })) as Echo).url).toBe('/echo/a%2Fb');
    expect(seen.filter((s) => s.stage === 'before').map((s) => s.endpoint)).toEqual(['getUser', 'echo']);
  });

  it('refuses a subclass method that an endpoint would hide, and a bad target', () => {
    const { engine } = observedEngine();
    class Clash extends clientClass('user-service', { list: endpoint.get('/users') }) {
      // @ts-expect-error TypeScript refuses it too: a method over the endpoint's instance property
      override list(): Promise<unknown> {
        return Promise.resolve('never runs');
      }
    }
    expect(() => new Clash(engine)).toThrow(InvalidRequestError);
    expect(() => new Clash(engine)).toThrow("method 'list' of Clash would be hidden");
    expect(() => new UserClient({} as never)).toThrow('invalid client target');
  });

  it('checks the definition once, when the class is made', () => {
    // biome-ignore lint/suspicious/noThenProperty: proves that such a name is refused
    expect(() => clientClass('user-service', { then: endpoint.get('/a') })).toThrow(InvalidRequestError);
  });
});
