import type { Transport, TransportRequest } from '@service-caller/core';
import {
  isConnectionError,
  isResponseTooLargeError,
  isServiceCallerError,
  isTimeoutError,
} from '@service-caller/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GOOD_BODY, MISBEHAVIOURS, SENT_BYTES, startRawUpstream } from './raw-upstream.js';

/** The read timeout and size cap the suite's transport must be made with. */
export const SUITE_READ_TIMEOUT = 600;
export const SUITE_MAX_RESPONSE_SIZE = 64 * 1024;
/** Slack over a bound for a loaded 2-core machine; the assertions are about "ends", not speed. */
export const SLACK = 3000;

/** What {@link describeMisbehavingUpstreams} needs from a transport package. */
export interface MisbehavingSuiteOptions {
  /** Makes the transport under test with `readTimeout` and `maxResponseSize` as given. */
  make(options: { readTimeout: number; maxResponseSize: number }): Transport;
  /**
   * Whether the transport answers through an unrequested `100 Continue` (RFC 9110 §15.2) rather
   * than failing the call with a `ConnectionError`.
   */
  toleratesContinue?: boolean;
  /** Words the error for an unrequested `100 Continue` must contain, if it fails and says so. */
  continueMessage?: string;
  /** Registers a package's own tests in the suite's `describe`, while its upstream runs. */
  more?(origin: () => string): void;
}

/**
 * Upstreams that misbehave at the byte level, on raw `net` servers (127.0.0.1, port 0): every
 * call must end within its bounds with a typed error that quotes none of the bytes the server
 * sent, on both paths (`send` + reading the body, and `sendBuffered`), and the next call on the
 * same transport and origin must succeed.
 */
export function describeMisbehavingUpstreams(name: string, options: MisbehavingSuiteOptions): void {
  let upstream: Awaited<ReturnType<typeof startRawUpstream>>;
  let transport: Transport;

  const request = (path: string, extra: Partial<TransportRequest> = {}): TransportRequest => ({
    method: 'GET',
    origin: upstream.origin,
    path,
    headers: {},
    ...extra,
  });

  /** The outcome of a raw call read whole, and of a buffered call, with how long each took. */
  async function bothPaths(path: string, extra: () => Partial<TransportRequest> = () => ({})) {
    const outcomes: { via: string; error: unknown; ms: number; extra: Partial<TransportRequest> }[] = [];
    for (const via of ['send', 'sendBuffered'] as const) {
      const own = extra();
      const started = performance.now();
      let error: unknown;
      try {
        if (via === 'send') await (await transport.send(request(path, own))).text();
        else await transport.sendBuffered!(request(path, own));
      } catch (caught) {
        error = caught;
      }
      outcomes.push({ via, error, ms: performance.now() - started, extra: own });
    }
    return outcomes;
  }

  async function expectNextCallSucceeds() {
    const res = await transport.sendBuffered!(request('/good'));
    expect(res.status).toBe(200);
    expect(new TextDecoder().decode(res.bodyBytes)).toBe(GOOD_BODY);
    expect(await (await transport.send(request('/good'))).text()).toBe(GOOD_BODY);
  }

  function expectTypedWithoutBytes(error: unknown) {
    expect(isServiceCallerError(error)).toBe(true);
    expect(typeof (error as { code?: unknown }).code).toBe('string');
    for (const bytes of SENT_BYTES) expect(String(error)).not.toContain(bytes);
  }

  describe(name, () => {
    beforeAll(async () => {
      upstream = await startRawUpstream(MISBEHAVIOURS);
      transport = options.make({ readTimeout: SUITE_READ_TIMEOUT, maxResponseSize: SUITE_MAX_RESPONSE_SIZE });
    });
    afterAll(async () => {
      await transport.close();
      await upstream.close();
    });

    const malformed: [string, string][] = [
      ['an SSH banner', '/ssh'],
      ['bytes that are not HTTP', '/garbage'],
      ['a bad status line', '/bad-status'],
      ['a bad chunk size', '/bad-chunk'],
      ['a NUL in a header value', '/nul-header'],
      ['headers past the size limit', '/header-flood'],
      ['an interim 100 whose headers go past the size limit', '/continue-endless'],
    ];
    if (!options.toleratesContinue) malformed.push(['an unrequested 100 Continue', '/continue']);
    it.each(malformed)(
      'fails %s with a ConnectionError that quotes none of the bytes, then recovers',
      async (_, path) => {
        for (const { via, error, ms } of await bothPaths(path)) {
          expect(isConnectionError(error), `${via}: ${String(error)}`).toBe(true);
          expectTypedWithoutBytes(error);
          expect(ms, via).toBeLessThan(SUITE_READ_TIMEOUT + SLACK);
          if (path === '/continue' && options.continueMessage !== undefined) {
            expect((error as Error).message, via).toContain(options.continueMessage);
          }
        }
        await expectNextCallSucceeds();
      },
    );

    it('fails headers that never end within the read timeout', async () => {
      for (const { via, error, ms } of await bothPaths('/headers-never-end')) {
        expect(isTimeoutError(error), `${via}: ${String(error)}`).toBe(true);
        expectTypedWithoutBytes(error);
        expect(ms, via).toBeLessThan(SUITE_READ_TIMEOUT + SLACK);
      }
      await expectNextCallSucceeds();
    });

    it('stops an endless body at maxResponseSize', async () => {
      for (const { via, error, ms } of await bothPaths('/endless')) {
        expect(isResponseTooLargeError(error), `${via}: ${String(error)}`).toBe(true);
        expectTypedWithoutBytes(error);
        expect(ms, via).toBeLessThan(SLACK);
      }
      await expectNextCallSucceeds();
    });

    it('ends a body trickling a byte at a time (never idle past the read timeout) at the call’s signal', async () => {
      const bound = 400;
      for (const { via, error, ms, extra } of await bothPaths('/trickle', () => ({
        signal: AbortSignal.timeout(bound),
      }))) {
        // An abort rejects with the signal's reason, as the transport contract says.
        expect(error, via).toBe(extra.signal?.reason);
        expect(ms, via).toBeLessThan(bound + SLACK);
      }
      await expectNextCallSucceeds();
    });

    it('quotes at most 256 characters of a huge path in its error, and never its query', async () => {
      // The upstream never answers a path it does not know: the call ends at the read timeout.
      const path = `${'/segment'.repeat(12_500)}?access_token=never-shown`;
      for (const { via, error } of await bothPaths(path)) {
        expect(isTimeoutError(error), `${via}: ${String(error).slice(0, 200)}`).toBe(true);
        const message = (error as Error).message;
        expect(message.length, via).toBeLessThan(600);
        expect(message, via).toContain('...(+99744 characters)');
        expect(message, via).not.toContain('access_token');
      }
    });

    if (options.toleratesContinue) {
      it('answers through an unrequested 100 Continue before the answer', async () => {
        const res = await transport.sendBuffered!(request('/continue'));
        expect(new TextDecoder().decode(res.bodyBytes)).toBe(GOOD_BODY);
        expect(await (await transport.send(request('/continue'))).text()).toBe(GOOD_BODY);
      });
    }

    it('tolerates a 103 Early Hints before the answer', async () => {
      const res = await transport.sendBuffered!(request('/early-hints'));
      expect(new TextDecoder().decode(res.bodyBytes)).toBe(GOOD_BODY);
      expect(await (await transport.send(request('/early-hints'))).text()).toBe(GOOD_BODY);
    });

    options.more?.(() => upstream.origin);
  });
}
