import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthInterceptor,
  type AuthInterceptorOptions,
  LoggingInterceptor,
  ServiceManager,
  silentLogger,
} from '../src/index.js';
import { echoHandler, startServer, staticConfig, type TestServer } from './support/http-server.js';
import { RecordingLogger } from './support/recording-logger.js';

const SENSITIVE_HEADERS = [
  'Authorization',
  'authorization',
  'Cookie',
  'Set-Cookie',
  'Proxy-Authorization',
  'X-Password',
  'x-user-passwd',
  'x-pwd',
  'X-Auth-Token',
  'x-client-secret',
  'X-Api-Key',
  'x-apikey',
  'X-Access-Key',
  'x-session-id',
  'x-credentials',
  'x-auth',
];

const SENSITIVE_QUERY = [
  'password',
  'PASSWORD',
  'passwd',
  'pwd',
  'token',
  'access_token',
  'client_secret',
  'api-key',
  'api_key',
  'apiKey',
  'access-key',
  'sessionId',
  'credential',
  'auth',
];

describe('LoggingInterceptor', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer((req, res) => {
      if (req.url.startsWith('/fail')) {
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('unavailable');
        return;
      }
      echoHandler(req, res);
    });
  });
  afterAll(() => server.close());

  async function managerWith(logging: LoggingInterceptor, auth?: AuthInterceptorOptions) {
    return ServiceManager.create({
      config: staticConfig({ 'other-app': [server] }),
      interceptors: auth === undefined ? [logging] : [logging, new AuthInterceptor(auth)],
    });
  }

  it('writes a request line and a response line in the documented format', async () => {
    const logger = new RecordingLogger();
    await using manager = await managerWith(new LoggingInterceptor({ logger }));
    await manager.get('other-app', '/hello', { headers: { accept: 'application/json' }, query: { q: 'x' } });
    expect(logger.lines.map((l) => l.level)).toEqual(['info', 'info']);
    expect(logger.lines[0]?.message).toBe(
      '→ GET other-app/hello | headers {"accept":"application/json"} | query {"q":"x"}',
    );
    expect(logger.lines[1]?.message).toMatch(
      new RegExp(
        `^← GET other-app/hello \\| http://127\\.0\\.0\\.1:${server.port}/hello\\?q=x \\| 200 \\| \\d+\\.\\d ms$`,
      ),
    );
  });

  it('writes a failure line with the status and error at warn', async () => {
    const logger = new RecordingLogger();
    await using manager = await managerWith(new LoggingInterceptor({ logger, logRequest: false }));
    await expect(manager.get('other-app', '/fail')).rejects.toThrow();
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]?.level).toBe('warn');
    expect(logger.lines[0]?.message).toMatch(
      new RegExp(
        `^✗ GET other-app/fail \\| http://127\\.0\\.0\\.1:${server.port}/fail \\| 503 \\| HttpStatusError: .+ \\| \\d+\\.\\d ms$`,
      ),
    );
  });

  it('logs the failure even when a fallback interceptor handles it', async () => {
    const logger = new RecordingLogger();
    await using manager = await ServiceManager.create({
      config: staticConfig({ 'other-app': [server] }),
      interceptors: [
        new LoggingInterceptor({ logger, logRequest: false }),
        {
          name: 'fallback',
          handleException(ctx) {
            ctx.error = undefined;
            ctx.result = 'fallback';
          },
        },
      ],
    });
    await expect(manager.get('other-app', '/fail')).resolves.toBe('fallback');
    expect(logger.lines.map((l) => l.message[0])).toEqual(['✗']);
  });

  it.each(SENSITIVE_HEADERS)('shows the value of header %s as ***', async (header) => {
    const logger = new RecordingLogger();
    const secret = `value-of-${header}-${Math.random().toString(36).slice(2)}`;
    await using manager = await managerWith(new LoggingInterceptor({ logger }));
    await manager.get('other-app', '/hello', { headers: { [header]: secret, 'x-plain': 'visible' } });
    const dump = logger.dump();
    expect(dump).not.toContain(secret);
    expect(logger.lines[0]?.message).toContain(`"${header}":"***"`);
    expect(logger.lines[0]?.message).toContain('"x-plain":"visible"');
  });

  it.each(SENSITIVE_QUERY)(
    'shows the value of query key %s as *** in the query, the path and the URL',
    async (key) => {
      const logger = new RecordingLogger();
      const inQuery = `q-${Math.random().toString(36).slice(2)}`;
      const inPath = `p-${Math.random().toString(36).slice(2)}`;
      await using manager = await managerWith(new LoggingInterceptor({ logger }));
      await manager.get('other-app', `/hello?${key}=${inPath}&page=1`, {
        query: { [key]: inQuery, size: 5 },
      });
      const dump = logger.dump();
      expect(dump).not.toContain(inQuery);
      expect(dump).not.toContain(inPath);
      expect(logger.lines[0]?.message).toContain(`/hello?${key}=***&page=1`);
      expect(logger.lines[0]?.message).toContain(`"${key}":"***"`);
      expect(logger.lines[0]?.message).toContain('"size":5');
      expect(logger.lines[1]?.message).toContain(`${key}=***`);
    },
  );

  it.each(['signature', 'X-Goog-Signature', 'private_key', 'passphrase', 'session.id'])(
    'shows the value of query key %s as *** too (the fragments shared with the spans and the admin page)',
    async (key) => {
      const logger = new RecordingLogger();
      await using manager = await managerWith(new LoggingInterceptor({ logger }));
      await manager.get('other-app', `/hello?${key}=in-path-77&page=1`, { query: { [key]: 'in-query-77' } });
      expect(logger.dump()).not.toMatch(/in-path-77|in-query-77/);
      expect(logger.lines[0]?.message).toContain(`/hello?${key}=***&page=1`);
    },
  );

  it('redacts a URLSearchParams query, keeping repeated keys', async () => {
    const logger = new RecordingLogger();
    await using manager = await managerWith(new LoggingInterceptor({ logger }));
    const query = new URLSearchParams([
      ['tag', 'a'],
      ['tag', 'b'],
      ['token', 'hidden-1'],
    ]);
    await manager.get('other-app', '/hello', { query });
    expect(logger.lines[0]?.message).toContain('query {"tag":["a","b"],"token":"***"}');
    expect(logger.dump()).not.toContain('hidden-1');
  });

  it('keeps the token an AuthInterceptor added out of the request line', async () => {
    const logger = new RecordingLogger();
    await using manager = await managerWith(new LoggingInterceptor({ logger }), { token: 'tok-123456' });
    const echo = await manager.get<{ headers: Record<string, string> }>('other-app', '/hello');
    expect(echo.headers.authorization).toBe('Bearer tok-123456');
    expect(logger.lines[0]?.message).toContain('"Authorization":"***"');
    expect(logger.dump()).not.toContain('tok-123456');
  });

  it('redacts extra keys given in `redact`', async () => {
    const logger = new RecordingLogger();
    await using manager = await managerWith(new LoggingInterceptor({ logger, redact: ['X-Tenant'] }));
    await manager.get('other-app', '/hello?tenant_id=t-77', { headers: { 'x-tenant': 'acme-corp' } });
    expect(logger.dump()).not.toContain('acme-corp');
    expect(logger.lines[0]?.message).toContain('"x-tenant":"***"');
    // `redact` adds to the built-in list; `tenant_id` does not contain `x-tenant`, so it stays.
    expect(logger.lines[0]?.message).toContain('tenant_id=t-77');
  });

  it('calls the logger not at all when both kinds of line are off', async () => {
    const logger = new RecordingLogger();
    await using manager = await managerWith(
      new LoggingInterceptor({ logger, logRequest: false, logResponse: false }),
    );
    await manager.get('other-app', '/hello', { headers: { authorization: 'x' } });
    await expect(manager.get('other-app', '/fail')).rejects.toThrow();
    expect(logger.calls).toEqual({ debug: 0, info: 0, warn: 0, error: 0 });
  });

  it('asks the logger for its level before building a line', async () => {
    const logger = new RecordingLogger('warn');
    await using manager = await managerWith(new LoggingInterceptor({ logger }));
    await manager.get('other-app', '/hello');
    expect(logger.calls.info).toBe(0);
    await expect(manager.get('other-app', '/fail')).rejects.toThrow();
    expect(logger.calls.warn).toBe(1);
    expect(logger.lines[0]?.message.startsWith('✗ GET other-app/fail')).toBe(true);
  });

  it('honours an isLevelEnabled logger (pino style) and writes at the configured levels', async () => {
    const lines: string[] = [];
    const enabled = new Set(['debug', 'error']);
    const logger = {
      isLevelEnabled: (level: string) => enabled.has(level),
      debug: (m: string) => lines.push(`debug ${m}`),
      info: (m: string) => lines.push(`info ${m}`),
      warn: (m: string) => lines.push(`warn ${m}`),
      error: (m: string) => lines.push(`error ${m}`),
    };
    await using manager = await managerWith(
      new LoggingInterceptor({ logger, level: 'debug', errorLevel: 'error' }),
    );
    await manager.get('other-app', '/hello');
    await expect(manager.get('other-app', '/fail')).rejects.toThrow();
    expect(lines.map((l) => l.slice(0, 7))).toEqual(['debug →', 'debug ←', 'debug →', 'error ✗']);
  });

  it('writes nothing through silentLogger and never fails the call', async () => {
    await using manager = await managerWith(new LoggingInterceptor({ logger: silentLogger }));
    await expect(manager.get('other-app', '/hello')).resolves.toMatchObject({ method: 'GET' });
  });
});

describe('LoggingInterceptor options', () => {
  it.each([
    [{ level: 'trace' }, 'level'],
    [{ errorLevel: 'fatal' }, 'errorLevel'],
    [{ redact: 'token' }, 'redact'],
    [{ redact: [1] }, 'redact'],
    [{ order: Number.NaN }, 'order'],
    [{ logRequest: 'no' }, 'logRequest'],
    [{ logger: { info: () => {} } }, 'logger.debug'],
  ])('refuses %j with a ConfigError naming %s', (options, keyPath) => {
    expect(() => new LoggingInterceptor(options as never)).toThrow(
      expect.objectContaining({ name: 'ConfigError', keyPath }),
    );
  });
});
