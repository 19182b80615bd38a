// testkit depends on core, so core's tests take waitFor from its source rather than the package.

import { describe, expect, it } from 'vitest';
import { waitFor } from '../../testkit/src/wait.js';
import {
  HttpStatusError,
  InvalidRequestError,
  type RawResponse,
  type RequestContext,
  type ServiceInterceptor,
  ServiceUnavailableError,
} from '../src/index.js';
import type { Echo } from './support/echo-server.js';
import { engineFixture, rejection } from './support/engine-fixture.js';
import { recordingLogger } from './support/recording.js';

const fixture = engineFixture();
const setup = fixture.setup.bind(fixture);

/** An interceptor that records, in `log`, each stage it runs as `<name>:<stage>`. */
function tracing(name: string, log: string[], order?: number): ServiceInterceptor {
  return {
    name,
    order,
    beforeRequest: () => void log.push(`${name}:before`),
    handleException: () => void log.push(`${name}:handle`),
    afterResponse: () => void log.push(`${name}:after`),
  };
}

/** The context's fields at one moment, copied so later changes do not show. */
function capture(ctx: RequestContext) {
  return {
    method: ctx.method,
    serviceName: ctx.serviceName,
    path: ctx.path,
    protocol: ctx.protocol,
    options: ctx.options,
    headers: { ...ctx.options.headers },
    attributes: { ...ctx.attributes },
    raw: ctx.raw,
    startTime: ctx.startTime,
    attempt: ctx.attempt,
    selectedInstance: ctx.selectedInstance,
    pick: ctx.pick,
    resolvedUrl: ctx.resolvedUrl,
    response: ctx.response,
    status: ctx.response?.status,
    bodyUsed: ctx.response?.bodyUsed,
    error: ctx.error,
    result: ctx.result,
    responseTime: ctx.responseTime,
    endTime: ctx.endTime,
    duration: ctx.duration,
  };
}

describe('stage order through the engine', () => {
  it('runs beforeRequest in order and afterResponse in reverse on success, never handleException', async () => {
    const log: string[] = [];
    const { engine } = setup({
      interceptors: [tracing('b', log, 2), tracing('a', log, 1), tracing('c', log, 2)],
    });
    await engine.request('GET', 'echo', '/json');
    expect(log).toEqual(['a:before', 'b:before', 'c:before', 'c:after', 'b:after', 'a:after']);
  });

  it('runs handleException in reverse, then afterResponse in reverse, on failure', async () => {
    const log: string[] = [];
    const { engine } = setup({ interceptors: [tracing('a', log, 1), tracing('b', log, 2)] });
    await expect(engine.request('GET', 'echo', '/status/500')).rejects.toBeInstanceOf(HttpStatusError);
    expect(log).toEqual(['a:before', 'b:before', 'b:handle', 'a:handle', 'b:after', 'a:after']);
  });
});

describe('the context at every stage', () => {
  it('carries the call fields before the request and the attempt fields after it', async () => {
    const stages: Record<string, ReturnType<typeof capture>> = {};
    const { engine } = setup({
      interceptors: [
        {
          name: 'watch',
          beforeRequest: (ctx) => {
            stages.before = capture(ctx);
            ctx.attributes.startedBy = 'watch';
          },
          afterResponse: (ctx) => {
            stages.after = capture(ctx);
          },
        },
      ],
    });
    const callerOptions = { headers: { 'x-a': '1' }, query: { q: 'v' } };
    const result = await engine.request('POST', 'echo', '/echo/ctx?x=1', callerOptions);
    const { before, after } = stages;

    expect(before).toMatchObject({
      method: 'POST',
      serviceName: 'echo',
      path: '/echo/ctx?x=1',
      protocol: 'http',
      headers: { 'x-a': '1' },
      attributes: {},
      raw: false,
      attempt: 0,
      selectedInstance: undefined,
      pick: undefined,
      resolvedUrl: undefined,
      response: undefined,
      error: undefined,
      result: undefined,
      responseTime: undefined,
      endTime: undefined,
      duration: undefined,
    });
    expect(before!.options).not.toBe(callerOptions);
    expect(before!.options.query).toEqual({ q: 'v' });
    expect(typeof before!.startTime).toBe('number');

    expect(after).toMatchObject({
      method: 'POST',
      serviceName: 'echo',
      path: '/echo/ctx?x=1',
      protocol: 'http',
      attributes: { startedBy: 'watch' },
      attempt: 1,
      resolvedUrl: `http://127.0.0.1:${fixture.server.port}/echo/ctx?x=1&q=v`,
      status: 200,
      bodyUsed: true,
      error: undefined,
    });
    expect(after!.result).toBe(result);
    expect(after!.selectedInstance).toMatchObject({
      host: '127.0.0.1',
      port: fixture.server.port,
      serviceName: 'echo',
    });
    expect(after!.pick!.instance).toBe(after!.selectedInstance);
    expect(after!.startTime).toBe(before!.startTime);
    expect(after!.responseTime!).toBeGreaterThanOrEqual(after!.startTime);
    expect(after!.endTime!).toBeGreaterThanOrEqual(after!.responseTime!);
    expect(after!.duration).toBe(after!.endTime! - after!.startTime);
  });

  it('shows the error to handleException and afterResponse of a failed call', async () => {
    const stages: Record<string, ReturnType<typeof capture>> = {};
    const { engine } = setup({
      retry: false,
      interceptors: [
        {
          name: 'watch',
          handleException: (ctx) => {
            stages.handle = capture(ctx);
          },
          afterResponse: (ctx) => {
            stages.after = capture(ctx);
          },
        },
      ],
    });
    const error = await rejection(engine.request('GET', 'echo', '/status/503'));
    for (const stage of [stages.handle!, stages.after!]) {
      expect(stage.error).toBe(error);
      expect(stage.status).toBe(503);
      expect(stage.attempt).toBe(1);
      expect(stage.result).toBeUndefined();
      expect(typeof stage.duration).toBe('number');
    }
  });

  it('shows a failure before any instance was chosen with the selection fields unset', async () => {
    let seen: ReturnType<typeof capture> | undefined;
    const { engine } = setup({
      interceptors: [
        {
          name: 'watch',
          afterResponse: (ctx) => {
            seen = capture(ctx);
          },
        },
      ],
    });
    const error = await rejection(engine.request('GET', 'nobody', '/x'));
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(seen).toMatchObject({ error, attempt: 1, selectedInstance: undefined, resolvedUrl: undefined });
  });

  it('gives a raw call the raw flag and the unread response as result', async () => {
    let seen: ReturnType<typeof capture> | undefined;
    const { engine } = setup({
      interceptors: [
        {
          name: 'watch',
          afterResponse: (ctx) => {
            seen = capture(ctx);
          },
        },
      ],
    });
    const response = await engine.rawRequest('GET', 'echo', '/json');
    expect(seen!.raw).toBe(true);
    expect(seen!.result).toBe(response);
    expect(seen!.response).toBe(response);
    expect(seen!.bodyUsed).toBe(false);
    await response.dispose();
  });
});

describe('beforeRequest', () => {
  it('fails the call when it throws, sends nothing, and still runs handleException and afterResponse', async () => {
    const log: string[] = [];
    const boom = new Error('no token');
    const { engine, transport } = setup({
      interceptors: [
        tracing('outer', log, 1),
        {
          name: 'auth',
          order: 2,
          beforeRequest: async () => {
            throw boom;
          },
        },
        tracing('inner', log, 3),
      ],
    });
    expect(await rejection(engine.request('GET', 'echo', '/json'))).toBe(boom);
    expect(transport.sent).toHaveLength(0);
    expect(log).toEqual(['outer:before', 'inner:handle', 'outer:handle', 'inner:after', 'outer:after']);
  });

  it('may change headers, query, json, timeout and protocol without touching the caller options', async () => {
    const { engine } = setup({
      interceptors: [
        {
          name: 'rewrite',
          beforeRequest: (ctx) => {
            ctx.options.headers!.authorization = 'Bearer t';
            ctx.options.query = { page: 2 };
            ctx.options.json = { rewritten: true };
          },
        },
      ],
    });
    const callerOptions = { headers: { 'x-a': '1' }, json: { original: true } };
    const echo = (await engine.request('POST', 'echo', '/echo', callerOptions)) as Echo;
    expect(echo.headers.authorization).toBe('Bearer t');
    expect(echo.headers['x-a']).toBe('1');
    expect(echo.url).toBe('/echo?page=2');
    expect(JSON.parse(echo.body)).toEqual({ rewritten: true });
    expect(callerOptions).toEqual({ headers: { 'x-a': '1' }, json: { original: true } });
  });

  it('may set the protocol, on the context or in the options', async () => {
    const urls: (string | undefined)[] = [];
    const { engine } = setup({
      interceptors: [
        {
          name: 'tls',
          beforeRequest: (ctx) => {
            if (ctx.path === '/ctx') ctx.protocol = 'https';
            else ctx.options.protocol = 'https';
          },
          afterResponse: (ctx) => void urls.push(ctx.resolvedUrl),
        },
      ],
    });
    await rejection(engine.request('GET', 'echo', '/ctx'));
    await rejection(engine.request('GET', 'echo', '/options'));
    expect(urls).toEqual([
      `https://127.0.0.1:${fixture.server.port}/ctx`,
      `https://127.0.0.1:${fixture.server.port}/options`,
    ]);
  });

  it('is checked after it ran: options it made invalid fail the call with InvalidRequestError', async () => {
    const { engine, transport } = setup({
      interceptors: [
        {
          name: 'broken',
          beforeRequest: (ctx) => {
            if (ctx.path === '/timeout') ctx.options.timeout = -1;
            else if (ctx.path === '/protocol') (ctx as { protocol: string }).protocol = 'ftp';
            else ctx.options.body = 'both';
          },
        },
      ],
    });
    const timeout = (await rejection(engine.request('GET', 'echo', '/timeout'))) as Error;
    expect(timeout).toBeInstanceOf(InvalidRequestError);
    expect(timeout.message).toContain('options after beforeRequest.timeout must be a positive finite number');
    const protocol = (await rejection(engine.request('GET', 'echo', '/protocol'))) as Error;
    expect(protocol).toBeInstanceOf(InvalidRequestError);
    expect(protocol.message).toContain(
      "an interceptor set ctx.protocol to the string \"ftp\"; expected 'http' or 'https'",
    );
    const both = (await rejection(engine.request('POST', 'echo', '/both', { json: 1 }))) as Error;
    expect(both.message).toContain('options after beforeRequest sets both json and body');
    expect(transport.sent).toHaveLength(0);
  });

  it('may set a timeout that the call then keeps', async () => {
    const { engine } = setup({
      interceptors: [
        {
          name: 'deadline',
          beforeRequest: (ctx) => {
            ctx.options.timeout = 60;
          },
        },
      ],
    });
    const error = (await rejection(engine.request('GET', 'echo', '/hang'))) as {
      phase: string;
      timeoutMs: number;
    };
    expect([error.phase, error.timeoutMs]).toEqual(['total', 60]);
  });
});

describe('afterResponse', () => {
  it('cannot change the outcome by throwing, and the throw is logged', async () => {
    const logger = recordingLogger();
    const { engine } = setup({
      logger,
      interceptors: [
        {
          name: 'bad',
          afterResponse: (ctx) => {
            ctx.result = 'tampered';
            throw new Error('after failed');
          },
        },
      ],
    });
    await expect(engine.request('GET', 'echo', '/json')).resolves.toEqual({ a: 1, list: [1, 2] });
    const failure = await rejection(engine.request('GET', 'echo', '/status/500'));
    expect(failure).toBeInstanceOf(HttpStatusError);
    expect(logger.entries.map((e) => [e.level, e.fields?.interceptor, e.fields?.stage])).toEqual([
      ['error', 'bad', 'afterResponse'],
      ['error', 'bad', 'afterResponse'],
    ]);
  });

  it('may adjust the result: the call settles with the context after the last stage', async () => {
    const { engine } = setup({
      interceptors: [
        {
          name: 'unwrap',
          afterResponse: (ctx) => {
            ctx.result = (ctx.result as { a: number }).a;
          },
        },
      ],
    });
    await expect(engine.request('GET', 'echo', '/json')).resolves.toBe(1);
  });
});

describe('handleException', () => {
  it('turns the failure into the fallback result when it clears ctx.error, skipping the rest', async () => {
    const log: string[] = [];
    const { engine } = setup({
      interceptors: [
        tracing('outer', log, 1),
        {
          name: 'fallback',
          order: 2,
          handleException: (ctx) => {
            log.push('fallback:handle');
            if (ctx.error instanceof HttpStatusError && ctx.error.status === 503) {
              ctx.error = undefined;
              ctx.result = { cached: true };
            }
          },
        },
      ],
    });
    await expect(engine.request('GET', 'echo', '/status/503')).resolves.toEqual({ cached: true });
    expect(log).toEqual(['outer:before', 'fallback:handle', 'outer:after']);
  });

  it('disposes the unread response of a raw call whose result an interceptor replaced', async () => {
    let response: RawResponse | undefined;
    const { engine } = setup({
      interceptors: [
        {
          name: 'fallback',
          afterResponse: (ctx) => {
            response = ctx.response;
            ctx.result = 'replacement';
          },
        },
      ],
    });
    await expect(engine.rawRequest('GET', 'echo', '/json')).resolves.toBe('replacement');
    expect(response!.bodyUsed).toBe(true);
  });

  it('disposes the raw response when an interceptor fails a raw call', async () => {
    let response: RawResponse | undefined;
    const failure = new Error('rejected by policy');
    const { engine } = setup({
      interceptors: [
        {
          name: 'policy',
          afterResponse: (ctx) => {
            response = ctx.response;
            ctx.error = failure;
          },
        },
      ],
    });
    expect(await rejection(engine.rawRequest('GET', 'echo', '/json'))).toBe(failure);
    expect(response!.bodyUsed).toBe(true);
  });

  it('logs a throw and keeps the original error', async () => {
    const logger = recordingLogger();
    const { engine } = setup({
      logger,
      interceptors: [
        {
          name: 'clumsy',
          handleException: () => {
            throw new Error('handler broke');
          },
        },
      ],
    });
    const error = (await rejection(engine.request('GET', 'echo', '/status/404'))) as HttpStatusError;
    expect(error.status).toBe(404);
    expect(logger.entries).toHaveLength(1);
    expect(logger.entries[0]!.message).toBe(
      "interceptor 'clumsy' threw in handleException; the call's outcome is kept",
    );
    expect((logger.entries[0]!.fields!.error as Error).message).toBe('handler broke');
  });
});

describe('changing interceptors', () => {
  it('adds (ignoring duplicate names), removes and clears, listing them in run order', () => {
    const { engine } = setup();
    expect(engine.addInterceptor({ name: 'b', order: 2 })).toBe(true);
    expect(engine.addInterceptor({ name: 'a', order: 1 })).toBe(true);
    expect(engine.addInterceptor({ name: 'a', order: 0 })).toBe(false);
    expect(engine.interceptors.map((i) => i.name)).toEqual(['a', 'b']);
    expect(engine.removeInterceptor('a')).toBe(true);
    expect(engine.removeInterceptor('a')).toBe(false);
    expect(engine.interceptors.map((i) => i.name)).toEqual(['b']);
    engine.clearInterceptors();
    expect(engine.interceptors).toEqual([]);
  });

  it('lets a call in flight keep the list it started with', async () => {
    const log: string[] = [];
    const { engine } = setup({ interceptors: [tracing('a', log), tracing('b', log)] });
    const first = engine.request('GET', 'echo', '/gate');
    await waitFor(() => fixture.server.gated === 1, { message: 'the first call reaching the server' });
    engine.removeInterceptor('a');
    engine.addInterceptor(tracing('c', log));
    const second = engine.request('GET', 'echo', '/gate');
    await waitFor(() => fixture.server.gated === 2, { message: 'the second call reaching the server' });
    engine.clearInterceptors();
    const third = engine.request('GET', 'echo', '/json');
    await third;
    fixture.server.release();
    await first;
    fixture.server.release();
    await second;
    expect(log).toEqual([
      'a:before',
      'b:before',
      'b:before',
      'c:before',
      // The first call still ends with both of its interceptors, in reverse.
      'b:after',
      'a:after',
      'c:after',
      'b:after',
    ]);
  });
});
