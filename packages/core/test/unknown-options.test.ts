import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CallEngine,
  type CallOptions,
  ConfigError,
  createCallEngine,
  InvalidRequestError,
  roundRobin,
  silentLogger,
  staticRegistry,
} from '../src/index.js';
import { type EchoServer, startEchoServer } from './support/echo-server.js';
import { type NodeHttpTransport, nodeHttpTransport } from './support/node-http-transport.js';
import { recordingLogger } from './support/recording.js';

/*
 * Call options the engine does not know (the Python library's `params` and `data`, typos) are
 * never dropped without a word: one warning per key per engine naming the right key, or, with
 * strictOptions, an InvalidRequestError before anything is sent.
 */

let server: EchoServer;
const engines: CallEngine[] = [];

beforeAll(async () => {
  server = await startEchoServer();
});

afterAll(async () => {
  await Promise.all(engines.map((e) => e.close()));
  await server.close();
});

function engineWith(strictOptions?: boolean) {
  const logger = recordingLogger();
  const transport: NodeHttpTransport = nodeHttpTransport();
  const engine = createCallEngine({
    discovery: staticRegistry({ services: { echo: [{ host: '127.0.0.1', port: server.port }] } }),
    transport,
    loadBalancer: roundRobin(),
    logger,
    ...(strictOptions === undefined ? {} : { strictOptions }),
  });
  engines.push(engine);
  return { engine, logger, transport };
}

const warnings = (logger: ReturnType<typeof recordingLogger>) =>
  logger.entries.filter((e) => e.level === 'warn').map((e) => e.message);

describe('unknown call options', () => {
  it.each([
    ['params', "did you mean 'query'?"],
    ['data', "did you mean 'json' (a value sent as JSON) or 'body' (text or bytes sent as they are)?"],
    ['timout', "did you mean 'timeout'?"],
    ['header', "did you mean 'headers'?"],
    ['perTryTimout', "did you mean 'perTryTimeout'?"],
    ['throw_http_errors', "did you mean 'throwHttpErrors'?"],
  ])('warns once about %s, naming the right key, and still sends the call', async (key, hint) => {
    const { engine, logger } = engineWith();
    const options = { [key]: { a: '1' } } as CallOptions;
    await expect(engine.request('POST', 'echo', '/echo', options)).resolves.toMatchObject({ method: 'POST' });
    await engine.request('POST', 'echo', '/echo', options);
    expect(warnings(logger)).toEqual([
      `unknown call option '${key}' (POST to service 'echo') is ignored; ${hint} (warned once per key)`,
    ]);
  });

  it('lists the valid keys when no key is close, and warns about each key once', async () => {
    const { engine, logger } = engineWith();
    await engine.request('GET', 'echo', '/echo', { zzz: 1, headers: {}, qqq: 2 } as CallOptions);
    await engine.request('GET', 'echo', '/echo', { zzz: 1, qqq: 2 } as CallOptions);
    expect(warnings(logger)).toEqual([
      "unknown call option 'zzz' (GET to service 'echo') is ignored; the call options are headers, query, json, body, timeout, perTryTimeout, retry, hedgeDelay, signal, protocol, throwHttpErrors, attributes (warned once per key)",
      "unknown call option 'qqq' (GET to service 'echo') is ignored; the call options are headers, query, json, body, timeout, perTryTimeout, retry, hedgeDelay, signal, protocol, throwHttpErrors, attributes (warned once per key)",
    ]);
  });

  it('says nothing about known keys, also when they are undefined', async () => {
    const { engine, logger } = engineWith();
    await engine.request('GET', 'echo', '/echo', {
      headers: {},
      query: undefined,
      json: undefined,
      timeout: 1000,
      perTryTimeout: undefined,
      retry: undefined,
      hedgeDelay: false,
      signal: undefined,
      protocol: 'http',
      throwHttpErrors: true,
      attributes: {},
    });
    expect(warnings(logger)).toEqual([]);
  });

  it('refuses them with strictOptions, before anything is sent', async () => {
    const { engine, transport } = engineWith(true);
    const error = await engine
      .request('POST', 'echo', '/echo', { data: { a: 1 } } as CallOptions)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message).toBe(
      "invalid request POST to service 'echo': options.data is not a call option; did you mean 'json' (a value sent as JSON) or 'body' (text or bytes sent as they are)?",
    );
    expect(transport.sent).toHaveLength(0);
    await expect(engine.request('GET', 'echo', '/echo', { timeout: 1000 })).resolves.toBeDefined();
  });

  it('cuts a long unknown key in the message', async () => {
    const { engine, logger } = engineWith();
    await engine.request('GET', 'echo', '/echo', { ['k'.repeat(10_000)]: 1 } as CallOptions);
    expect(warnings(logger)[0]!.length).toBeLessThan(600);
  });

  it('checks strictOptions itself', () => {
    expect(() =>
      createCallEngine({
        discovery: staticRegistry({}),
        transport: nodeHttpTransport(),
        loadBalancer: roundRobin(),
        logger: silentLogger,
        strictOptions: 'yes' as unknown as boolean,
      }),
    ).toThrow(ConfigError);
  });
});
