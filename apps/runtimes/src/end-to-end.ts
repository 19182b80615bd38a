import { type CallOptions, isHttpStatusError, isTimeoutError, type RawResponse } from '@service-caller/core';
import type { ServerFixture, SuiteApi, TransportFixtures } from '@service-caller/testkit/portable';

/** What the script calls: a `ServiceManager`, or core's engine behind the same four methods. */
export interface CallerUnderTest {
  get(serviceName: string, path: string, options?: CallOptions): Promise<unknown>;
  rawGet(serviceName: string, path: string, options?: CallOptions): Promise<RawResponse>;
  close(): Promise<void>;
  /** The transport it sends with, when it can say (the facade's default differs per runtime). */
  readonly transportName?: string;
}

/** How a caller is made for the script: pointed at a static list holding the one upstream. */
export type MakeCaller = (upstream: { host: string; port: number }) => Promise<CallerUnderTest>;

const SERVICE = 'upstream';
const JSON_BODY = { hello: 'world', n: 1, list: [1, 2, 3] };

/**
 * The short end-to-end script every runtime runs, as the user's code would call: a get, a raw
 * get with a timeout, an HTTP error, a timeout, close. Against the transport suite's test server
 * (its `/json`, `/status` and `/stall-headers` routes), in a Node process beside the runtime when
 * the fixtures are remote. `transport` is the name the caller must report, when it reports one.
 */
export function endToEndSuite(
  api: SuiteApi,
  name: string,
  makeCaller: MakeCaller,
  fixtures: TransportFixtures,
  transport?: string,
): void {
  const { describe, it, expect, beforeAll, afterAll } = api;

  describe(`end to end: ${name}`, () => {
    let server: ServerFixture;
    let caller: CallerUnderTest;
    let closed = false;

    beforeAll(async () => {
      server = await fixtures.startServer();
      const { hostname, port } = new URL(server.origin);
      caller = await makeCaller({ host: hostname, port: Number(port) });
    });

    afterAll(async () => {
      if (!closed) await caller?.close();
      await server?.close();
    });

    if (transport !== undefined) {
      it(`sends over the ${transport} transport`, () => {
        expect(caller.transportName).toBe(transport);
      });
    }

    it('get: resolves with the body parsed as JSON', async () => {
      expect(await caller.get(SERVICE, '/json')).toEqual(JSON_BODY);
    });

    it('raw get with a timeout: resolves, the body reads, the response ends disposed', async () => {
      // A long timeout: a timer left running after the body was read would keep a Node, Bun or
      // Deno process alive for a minute, which the matrix sees (each runtime must exit by itself).
      const res = await caller.rawGet(SERVICE, '/json?raw=1', { timeout: 60_000 });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(JSON_BODY);
      expect(res.bodyUsed).toBe(true);
      await res.dispose();
      {
        await using unread = await caller.rawGet(SERVICE, '/json?raw=2', { timeout: 60_000 });
        expect(unread.status).toBe(200);
      }
      // The connection of the unread one was given back: the next call goes through.
      expect(await caller.get(SERVICE, '/json?after=raw')).toEqual(JSON_BODY);
    });

    it('an HTTP error: rejects with HttpStatusError and the status', async () => {
      const error = await caller.get(SERVICE, '/status?code=503').catch((e: unknown) => e);
      expect(isHttpStatusError(error), String(error)).toBe(true);
      expect(error).toMatchObject({ status: 503, code: 'SC_ERR_HTTP_STATUS', serviceName: SERVICE });
    });

    it("a timeout: rejects with TimeoutError 'total' within its bound", async () => {
      const started = performance.now();
      const error = await caller
        .get(SERVICE, '/stall-headers?id=e2e-timeout', { timeout: 300 })
        .catch((e: unknown) => e);
      expect(isTimeoutError(error), String(error)).toBe(true);
      expect(error).toMatchObject({ phase: 'total', code: 'SC_ERR_TIMEOUT' });
      // Generous: this is a bound that a hang would miss, not a measurement.
      expect(performance.now() - started).toBeLessThan(10_000);
    });

    it('close: resolves, and a call after it is refused with ClosedError', async () => {
      closed = true;
      await caller.close();
      const error = await caller.get(SERVICE, '/json').catch((e: unknown) => e);
      expect(error, String(error)).toMatchObject({ code: 'SC_ERR_CLOSED' });
    });
  });
}
