import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { endpoint, type RequestContext, ServiceManager, ValidationError } from '../src/index.js';
import { echoHandler, startServer, staticConfig, type TestServer } from './support/http-server.js';

interface Echo {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

describe('manager.client: declarative endpoints through the manager', () => {
  let server: TestServer;
  let manager: ServiceManager;
  const seen: Array<{ endpoint: unknown; service: string; url: string | undefined }> = [];

  beforeAll(async () => {
    server = await startServer(echoHandler);
    manager = await ServiceManager.create({
      config: staticConfig({ 'user-service': [server] }),
      interceptors: [
        {
          name: 'endpoint-recorder',
          afterResponse(ctx: RequestContext) {
            seen.push({ endpoint: ctx.attributes.endpoint, service: ctx.serviceName, url: ctx.resolvedUrl });
          },
        },
      ],
    });
  });

  afterAll(async () => {
    await manager.close();
    await server.close();
  });

  it('calls each endpoint with encoded path values, query, body and the chain', async () => {
    const users = manager.client('user-service', {
      getUser: endpoint.get('/users/{id}', { response: z.object({ method: z.string(), url: z.string() }) }),
      createUser: endpoint.post('/users', { body: z.object({ name: z.string() }) }),
      deleteUser: endpoint.delete('/users/{id}'),
    });

    const fetched = await users.getUser({ path: { id: 'a/../b' } });
    expect(fetched).toMatchObject({ method: 'GET', url: '/users/a%2F..%2Fb' });

    const created = (await users.createUser({ body: { name: 'Ada' } })) as Echo;
    expect(created.method).toBe('POST');
    expect(JSON.parse(created.body)).toEqual({ name: 'Ada' });

    const deleted = (await users.deleteUser({ path: { id: 7 } })) as Echo;
    expect(deleted).toMatchObject({ method: 'DELETE', url: '/users/7' });

    expect(seen.map((s) => s.endpoint)).toEqual(['getUser', 'createUser', 'deleteUser']);
    expect(
      seen.every(
        (s) => s.service === 'user-service' && s.url?.startsWith(`http://127.0.0.1:${server.port}/`),
      ),
    ).toBe(true);
  });

  it('refuses a body its schema rejects before anything is sent', async () => {
    const users = manager.client('user-service', {
      createUser: endpoint.post('/users', { body: z.object({ name: z.string() }) }),
    });
    const before = server.requests.length;
    const failure = await users.createUser({ body: { name: 42 } as never }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ValidationError);
    expect((failure as Error).message).toContain('createUser');
    expect(server.requests.length).toBe(before);
  });
});
