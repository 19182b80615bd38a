import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthInterceptor, ConfigError, InvalidRequestError, ServiceManager } from '../src/index.js';
import { echoHandler, startServer, staticConfig, type TestServer } from './support/http-server.js';
import { RecordingLogger } from './support/recording-logger.js';

interface Echo {
  headers: Record<string, string | undefined>;
}

describe('AuthInterceptor', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer((req, res) => {
      if (req.url.startsWith('/private')) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end('{"error":"bad token"}');
        return;
      }
      echoHandler(req, res);
    });
  });
  afterAll(() => server.close());

  const create = (auth: AuthInterceptor) =>
    ServiceManager.create({ config: staticConfig({ api: [server] }), interceptors: [auth] });

  it('sends Authorization: Bearer <token> by default', async () => {
    await using manager = await create(new AuthInterceptor({ token: '123456' }));
    const echo = await manager.get<Echo>('api', '/me');
    expect(echo.headers.authorization).toBe('Bearer 123456');
  });

  it('uses the given header name and prefix', async () => {
    await using manager = await create(
      new AuthInterceptor({ token: 'k-1', headerName: 'X-Api-Key', prefix: '' }),
    );
    const echo = await manager.get<Echo>('api', '/me');
    expect(echo.headers['x-api-key']).toBe('k-1');
    expect(echo.headers.authorization).toBeUndefined();
  });

  it("keeps a call's own header of the same name, in any case", async () => {
    await using manager = await create(new AuthInterceptor({ token: 'default-token' }));
    const echo = await manager.get<Echo>('api', '/me', { headers: { authorization: 'Basic dXNlcjpwdw==' } });
    expect(echo.headers.authorization).toBe('Basic dXNlcjpwdw==');
  });

  it('calls a token function before every request, sync or async, without touching the caller options', async () => {
    let n = 0;
    const tokens = async () => `rotating-${++n}`;
    await using manager = await create(new AuthInterceptor({ token: tokens }));
    const options = { headers: { 'x-trace': 'same' } };
    const first = await manager.get<Echo>('api', '/me', options);
    const second = await manager.get<Echo>('api', '/me', options);
    expect(first.headers.authorization).toBe('Bearer rotating-1');
    expect(second.headers.authorization).toBe('Bearer rotating-2');
    expect(options).toEqual({ headers: { 'x-trace': 'same' } });

    await using syncManager = await create(new AuthInterceptor({ token: () => 'from-sync' }));
    expect((await syncManager.get<Echo>('api', '/me')).headers.authorization).toBe('Bearer from-sync');
  });

  it('fails the call without sending it when the token function throws or returns nothing', async () => {
    const before = server.requests.length;
    await using throwing = await create(
      new AuthInterceptor({
        token: () => {
          throw new Error('token store down');
        },
      }),
    );
    await expect(throwing.get('api', '/me')).rejects.toThrow('token store down');
    await using empty = await create(new AuthInterceptor({ token: async () => '' }));
    const error = await empty.get('api', '/me').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message).toContain('empty string');
    expect(server.requests.length).toBe(before);
  });

  it('warns after a 401 without printing the token, for parsed and raw calls', async () => {
    const logger = new RecordingLogger();
    const token = 'super-secret-token-value';
    await using manager = await create(new AuthInterceptor({ token, logger }));
    await expect(manager.get('api', '/private')).rejects.toMatchObject({ status: 401 });
    await using res = await manager.rawGet('api', '/private');
    expect(res.status).toBe(401);
    const warnings = logger.lines.filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]?.message).toContain('401');
    expect(warnings[0]?.message).toContain("'Authorization'");
    expect(logger.dump()).not.toContain(token);
  });

  it('warns after a 401 to a call whose header came from a token function, not to one that sent its own', async () => {
    const logger = new RecordingLogger();
    await using manager = await create(new AuthInterceptor({ token: async () => 'fn-token', logger }));
    await expect(manager.get('api', '/private')).rejects.toMatchObject({ status: 401 });
    expect(logger.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    await expect(
      manager.get('api', '/private', { headers: { Authorization: 'Bearer own' } }),
    ).rejects.toMatchObject({ status: 401 });
    expect(logger.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    expect(logger.dump()).not.toContain('fn-token');
  });

  it('does not warn after a 401 when it did not set the header', async () => {
    const logger = new RecordingLogger();
    await using manager = await create(new AuthInterceptor({ token: 't', logger }));
    await expect(
      manager.get('api', '/private', { headers: { Authorization: 'Bearer own' } }),
    ).rejects.toMatchObject({ status: 401 });
    expect(logger.lines).toEqual([]);
  });

  it('never shows the token in toString, inspect or JSON', () => {
    const token = 'tkn-never-printed';
    const auth = new AuthInterceptor({ token, headerName: 'X-Key' });
    for (const shown of [
      String(auth),
      `${auth}`,
      inspect(auth),
      inspect({ nested: [auth] }),
      JSON.stringify(auth),
    ]) {
      expect(shown).not.toContain(token);
      expect(shown).toContain('***');
    }
    expect(Object.keys(auth)).not.toContain('token');
    expect(JSON.parse(JSON.stringify(auth))).toEqual({
      name: 'AuthInterceptor',
      order: 0,
      headerName: 'X-Key',
      prefix: 'Bearer ',
      token: '***',
    });
  });

  it('refuses bad options with a ConfigError that does not echo them', () => {
    expect(() => new AuthInterceptor({ token: '' })).toThrow(ConfigError);
    expect(() => new AuthInterceptor({} as never)).toThrow(
      /token: expected a non-empty string or a function/,
    );
    expect(() => new AuthInterceptor({ token: 42 as never })).toThrow(/found a number/);
    const bad = (() => {
      try {
        new AuthInterceptor({ token: 'abc-secret', headerName: 'bad header' });
      } catch (error) {
        return error as ConfigError;
      }
    })();
    expect(bad).toBeInstanceOf(ConfigError);
    expect(bad?.keyPath).toBe('headerName');
    expect(bad?.message).not.toContain('abc-secret');
  });
});
