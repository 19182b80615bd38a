import { describe, expect, it } from 'vitest';
import {
  createRequestContext,
  finishAttempt,
  InterceptorChain,
  runAfterAttempt,
  runAfterResponse,
  runBeforeAttempt,
  runBeforeRequest,
  runHandleException,
  startAttempt,
} from '../src/adapter.js';
import { ConfigError, type Logger, type RequestContext, type ServiceInterceptor } from '../src/index.js';
import { recordingLogger } from './support/recording.js';

function context(): RequestContext {
  return createRequestContext({ method: 'GET', serviceName: 'svc', path: '/x?token=secret' });
}

const named = (name: string, order?: number): ServiceInterceptor => ({ name, order });

describe('InterceptorChain', () => {
  it('sorts by order, smaller first, ties in the order added', () => {
    const chain = new InterceptorChain([
      named('a', 5),
      named('b'),
      named('c', -1),
      named('d', 5),
      named('e'),
    ]);
    expect(chain.snapshot.map((i) => i.name)).toEqual(['c', 'b', 'e', 'a', 'd']);
    chain.add(named('f', 0));
    chain.add(named('g', 10));
    chain.add(named('h', -5));
    expect(chain.snapshot.map((i) => i.name)).toEqual(['h', 'c', 'b', 'e', 'f', 'a', 'd', 'g']);
    expect(chain.size).toBe(8);
  });

  it('ignores a second interceptor with a name already present, keeping the first', () => {
    const first = named('auth', 1);
    const chain = new InterceptorChain([first]);
    expect(chain.add(named('auth', -100))).toBe(false);
    expect(chain.snapshot).toEqual([first]);
    expect(chain.snapshot[0]).toBe(first);
    expect(new InterceptorChain([first, named('auth')]).snapshot).toEqual([first]);
  });

  it('copies on write: a snapshot taken before a change never changes', () => {
    const chain = new InterceptorChain([named('a'), named('b')]);
    const before = chain.snapshot;
    expect(Object.isFrozen(before)).toBe(true);
    expect(chain.snapshot).toBe(before);
    chain.add(named('c'));
    const afterAdd = chain.snapshot;
    expect(afterAdd).not.toBe(before);
    expect(before.map((i) => i.name)).toEqual(['a', 'b']);
    expect(chain.remove('a')).toBe(true);
    expect(afterAdd.map((i) => i.name)).toEqual(['a', 'b', 'c']);
    expect(chain.snapshot.map((i) => i.name)).toEqual(['b', 'c']);
    const afterRemove = chain.snapshot;
    chain.clear();
    expect(afterRemove.map((i) => i.name)).toEqual(['b', 'c']);
    expect(chain.snapshot).toEqual([]);
  });

  it('reports whether remove found the name, and clear on an empty chain keeps the snapshot', () => {
    const chain = new InterceptorChain();
    expect(chain.remove('nope')).toBe(false);
    const empty = chain.snapshot;
    chain.clear();
    expect(chain.snapshot).toBe(empty);
  });

  it('refuses malformed interceptors with a ConfigError naming what is wrong', () => {
    const chain = new InterceptorChain();
    const cases: [unknown, RegExp][] = [
      [null, /interceptor: expected an object/],
      [{ name: '' }, /interceptor\.name: expected a non-empty string, found an empty string/],
      [{ name: 42 }, /interceptor\.name: expected a non-empty string, found 42/],
      [{ name: 'x', order: Number.NaN }, /interceptor 'x'\.order: expected a finite number, found NaN/],
      [{ name: 'x', order: '1' }, /interceptor 'x'\.order: expected a finite number, found a string/],
      [{ name: 'x', beforeRequest: 'no' }, /interceptor 'x'\.beforeRequest: expected a function/],
      [
        { name: 'x', afterResponse: {} },
        /interceptor 'x'\.afterResponse: expected a function, found an object/,
      ],
      [{ name: 'x', beforeAttempt: true }, /interceptor 'x'\.beforeAttempt: expected a function/],
      [{ name: 'x', afterAttempt: 1 }, /interceptor 'x'\.afterAttempt: expected a function, found 1/],
    ];
    for (const [bad, message] of cases) {
      const error = (() => {
        try {
          chain.add(bad as ServiceInterceptor);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(message);
    }
    expect(chain.size).toBe(0);
    expect(() => new InterceptorChain('x' as never)).toThrow(ConfigError);
  });
});

describe('InterceptorChain.attemptHooks', () => {
  it('lists, in run order, only the interceptors with a per-attempt hook, and is undefined without any', () => {
    const chain = new InterceptorChain([named('plain')]);
    expect(chain.attemptHooks).toBeUndefined();
    const tracing: ServiceInterceptor = { name: 'tracing', order: 5, afterAttempt: () => {} };
    const headers: ServiceInterceptor = { name: 'headers', order: 1, beforeAttempt: () => {} };
    chain.add(tracing);
    chain.add(headers);
    const hooks = chain.attemptHooks;
    expect(hooks).toEqual([headers, tracing]);
    expect(Object.isFrozen(hooks)).toBe(true);
    chain.remove('tracing');
    expect(chain.attemptHooks).toEqual([headers]);
    expect(hooks).toEqual([headers, tracing]);
    chain.clear();
    expect(chain.attemptHooks).toBeUndefined();
  });
});

describe('runBeforeAttempt and runAfterAttempt', () => {
  function attemptOf(ctx: RequestContext) {
    return startAttempt(ctx, {
      id: 'i',
      serviceName: 'svc',
      host: '127.0.0.1',
      port: 1,
      weight: 1,
      healthy: true,
      metadata: {},
    });
  }

  it('run beforeAttempt in order and afterAttempt in reverse, skipping interceptors without them', () => {
    const log: string[] = [];
    const hook = (name: string): ServiceInterceptor => ({
      name,
      beforeAttempt: (_ctx, attempt) => void log.push(`${name}:before#${attempt.number}`),
      afterAttempt: (_ctx, attempt) => void log.push(`${name}:after#${attempt.number}`),
    });
    const list = [hook('a'), named('none'), hook('b')];
    const ctx = context();
    const attempt = attemptOf(ctx);
    runBeforeAttempt(list, ctx, attempt, recordingLogger());
    finishAttempt(attempt, { status: 200 });
    runAfterAttempt(list, ctx, attempt, recordingLogger());
    expect(log).toEqual(['a:before#1', 'b:before#1', 'b:after#1', 'a:after#1']);
    expect(ctx.attempts).toEqual([attempt]);
    expect([attempt.status, attempt.error, typeof attempt.latencyMs]).toEqual([200, undefined, 'number']);
  });

  it('propagate a throw in beforeAttempt and refuse a returned promise, logging its rejection', async () => {
    const logger = recordingLogger();
    const ctx = context();
    const attempt = attemptOf(ctx);
    const failure = new Error('bad');
    const throwing: ServiceInterceptor = {
      name: 't',
      beforeAttempt: () => {
        throw failure;
      },
    };
    expect(() => runBeforeAttempt([throwing], ctx, attempt, logger)).toThrow(failure);
    const rejecting = { name: 'r', beforeAttempt: () => Promise.reject(new Error('later')) };
    expect(() => runBeforeAttempt([rejecting as never], ctx, attempt, logger)).toThrow(
      "interceptor 'r' returned a promise from beforeAttempt",
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(logger.entries.map((e) => e.message)).toEqual(["interceptor 'r' threw in beforeAttempt; ignored"]);
  });

  it('log a throw or rejection in afterAttempt, without the query string, and run the rest', async () => {
    const logger = recordingLogger();
    const ctx = context();
    const attempt = attemptOf(ctx);
    finishAttempt(attempt, { error: new Error('reset') });
    const ran: string[] = [];
    const list: ServiceInterceptor[] = [
      { name: 'first', afterAttempt: () => void ran.push('first') },
      { name: 'rejects', afterAttempt: (() => Promise.reject(new Error('async'))) as never },
      {
        name: 'throws',
        afterAttempt: () => {
          throw new Error('sync');
        },
      },
    ];
    runAfterAttempt(list, ctx, attempt, logger);
    await new Promise((resolve) => setImmediate(resolve));
    expect(ran).toEqual(['first']);
    expect(logger.entries.map((e) => [e.message, e.fields?.path])).toEqual([
      ["interceptor 'throws' threw in afterAttempt; ignored", '/x'],
      ["interceptor 'rejects' threw in afterAttempt; ignored", '/x'],
    ]);
  });

  it('refuse attempts that startAttempt did not make, and ending one twice', () => {
    const ctx = context();
    const attempt = attemptOf(ctx);
    finishAttempt(attempt);
    expect(() => finishAttempt(attempt)).toThrow('finishAttempt needs an attempt made by startAttempt');
    expect(() => finishAttempt({ ...attempt })).toThrow(
      'finishAttempt needs an attempt made by startAttempt',
    );
    expect(() => startAttempt({ ...ctx } as RequestContext, attempt.instance)).toThrow(
      'startAttempt needs a context made by createRequestContext',
    );
  });
});

describe('runBeforeRequest', () => {
  it('runs hooks in order, skips interceptors without the hook, and stays synchronous for sync hooks', () => {
    const seen: string[] = [];
    const list = new InterceptorChain([
      { name: 'b', order: 2, beforeRequest: () => void seen.push('b') },
      { name: 'none' },
      { name: 'a', order: 1, beforeRequest: () => void seen.push('a') },
    ]).snapshot;
    expect(runBeforeRequest(list, context())).toBeUndefined();
    expect(seen).toEqual(['a', 'b']);
  });

  it('awaits a hook that returns a promise before running the next', async () => {
    const seen: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const list = new InterceptorChain([
      { name: 'a', order: 1, beforeRequest: () => void seen.push('a') },
      {
        name: 'b',
        order: 2,
        beforeRequest: async () => {
          seen.push('b:start');
          await gate;
          seen.push('b:end');
        },
      },
      { name: 'c', order: 3, beforeRequest: () => void seen.push('c') },
      { name: 'd', order: 4, beforeRequest: async () => void seen.push('d') },
    ]).snapshot;
    const running = runBeforeRequest(list, context());
    expect(running).toBeInstanceOf(Promise);
    expect(seen).toEqual(['a', 'b:start']);
    release();
    await running;
    expect(seen).toEqual(['a', 'b:start', 'b:end', 'c', 'd']);
  });

  it('propagates a throw and a rejection, running nothing after', async () => {
    const seen: string[] = [];
    const boom = new Error('boom');
    const syncList = new InterceptorChain([
      {
        name: 'a',
        beforeRequest: () => {
          throw boom;
        },
      },
      { name: 'b', beforeRequest: () => void seen.push('b') },
    ]).snapshot;
    expect(() => runBeforeRequest(syncList, context())).toThrow(boom);
    const asyncList = new InterceptorChain([
      { name: 'a', beforeRequest: () => Promise.resolve() },
      { name: 'b', beforeRequest: () => Promise.reject(boom) },
      { name: 'c', beforeRequest: () => void seen.push('c') },
    ]).snapshot;
    await expect(runBeforeRequest(asyncList, context())).rejects.toBe(boom);
    expect(seen).toEqual([]);
  });
});

describe('runHandleException', () => {
  it('runs in reverse order while ctx.error is set; clearing it stops the chain', async () => {
    const seen: string[] = [];
    const list = new InterceptorChain([
      { name: 'first', order: 1, handleException: () => void seen.push('first') },
      {
        name: 'fallback',
        order: 2,
        handleException: (ctx) => {
          seen.push('fallback');
          ctx.error = undefined;
          ctx.result = 'fallback';
        },
      },
      { name: 'last', order: 3, handleException: async () => void seen.push('last') },
    ]).snapshot;
    const ctx = context();
    ctx.error = new Error('failed');
    const running = runHandleException(list, ctx, recordingLogger());
    expect(running).toBeInstanceOf(Promise);
    await running;
    expect(seen).toEqual(['last', 'fallback']);
    expect(ctx.error).toBeUndefined();
    expect(ctx.result).toBe('fallback');
  });

  it('does nothing when ctx.error is not set', () => {
    const seen: string[] = [];
    const list = new InterceptorChain([{ name: 'a', handleException: () => void seen.push('a') }]).snapshot;
    expect(runHandleException(list, context(), recordingLogger())).toBeUndefined();
    expect(seen).toEqual([]);
  });

  it('logs a throwing hook, undoes its changes and goes on', async () => {
    const logger = recordingLogger();
    const original = new Error('original');
    const seen: string[] = [];
    const list = new InterceptorChain([
      { name: 'a', order: 1, handleException: (ctx) => void seen.push(`a:${(ctx.error as Error).message}`) },
      {
        name: 'async-thrower',
        order: 2,
        handleException: async (ctx) => {
          ctx.error = undefined;
          ctx.result = 'half-done';
          throw new Error('async oops');
        },
      },
      {
        name: 'sync-thrower',
        order: 3,
        handleException: (ctx) => {
          ctx.error = undefined;
          throw new Error('sync oops');
        },
      },
    ]).snapshot;
    const ctx = context();
    ctx.error = original;
    await runHandleException(list, ctx, logger);
    expect(ctx.error).toBe(original);
    expect(ctx.result).toBeUndefined();
    expect(seen).toEqual(['a:original']);
    expect(logger.entries.map((e) => [e.level, e.fields?.interceptor, e.fields?.stage])).toEqual([
      ['error', 'sync-thrower', 'handleException'],
      ['error', 'async-thrower', 'handleException'],
    ]);
    expect(logger.entries[0]!.message).toContain("interceptor 'sync-thrower' threw in handleException");
    // The path is logged without its query string, where callers sometimes put tokens.
    expect(logger.entries[0]!.fields?.path).toBe('/x');
    expect(JSON.stringify(logger.entries.map((e) => e.message))).not.toContain('secret');
  });

  it('stops an async chain once a later hook clears the error, and logs an async hook rejecting later on', async () => {
    const logger = recordingLogger();
    const seen: string[] = [];
    const list = new InterceptorChain([
      { name: 'never', order: 0, handleException: () => void seen.push('never') },
      {
        name: 'clears',
        order: 1,
        handleException: async (ctx) => {
          seen.push('clears');
          ctx.error = undefined;
        },
      },
      {
        name: 'rejects',
        order: 2,
        handleException: () => {
          seen.push('rejects');
          return Promise.reject(new Error('nope'));
        },
      },
      { name: 'starts', order: 3, handleException: async () => void seen.push('starts') },
    ]).snapshot;
    const ctx = context();
    ctx.error = new Error('x');
    await runHandleException(list, ctx, logger);
    expect(seen).toEqual(['starts', 'rejects', 'clears']);
    expect(ctx.error).toBeUndefined();
    expect(logger.entries.map((e) => e.fields?.interceptor)).toEqual(['rejects']);
  });
});

describe('runAfterResponse', () => {
  it('runs every hook in reverse order, synchronously when hooks are', () => {
    const seen: string[] = [];
    const list = new InterceptorChain([
      { name: 'a', order: 1, afterResponse: () => void seen.push('a') },
      { name: 'b', order: 2 },
      { name: 'c', order: 3, afterResponse: () => void seen.push('c') },
    ]).snapshot;
    expect(runAfterResponse(list, context(), recordingLogger())).toBeUndefined();
    expect(seen).toEqual(['c', 'a']);
  });

  it('logs throws and rejections, undoes their changes, runs the rest, and survives a broken logger', async () => {
    const logger = recordingLogger();
    const seen: string[] = [];
    const list = new InterceptorChain([
      { name: 'a', order: 1, afterResponse: () => void seen.push('a') },
      {
        name: 'sync',
        order: 2,
        afterResponse: (ctx) => {
          ctx.result = 'changed';
          throw new Error('sync');
        },
      },
      {
        name: 'later-async',
        order: 3,
        afterResponse: async (ctx) => {
          ctx.error = new Error('injected');
          throw new Error('later');
        },
      },
      { name: 'b', order: 4, afterResponse: async () => void seen.push('b') },
      {
        name: 'first-async',
        order: 5,
        afterResponse: () => Promise.reject(new Error('first')),
      },
    ]).snapshot;
    const ctx = context();
    ctx.result = 'kept';
    await runAfterResponse(list, ctx, logger);
    expect(seen).toEqual(['b', 'a']);
    expect(ctx.result).toBe('kept');
    expect(ctx.error).toBeUndefined();
    expect(logger.entries.map((e) => e.fields?.interceptor)).toEqual(['first-async', 'later-async', 'sync']);

    const broken: Logger = {
      debug() {},
      info() {},
      warn() {},
      error() {
        throw new Error('logger down');
      },
    };
    const throwing = new InterceptorChain([
      {
        name: 'x',
        afterResponse: () => {
          throw new Error('x');
        },
      },
    ]).snapshot;
    expect(() => runAfterResponse(throwing, context(), broken)).not.toThrow();
  });
});
