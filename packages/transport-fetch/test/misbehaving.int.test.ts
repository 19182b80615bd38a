import type { Transport, TransportRequest } from '@service-caller/core';
import {
  isConnectionError,
  isResponseTooLargeError,
  isServiceCallerError,
  isTimeoutError,
} from '@service-caller/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The raw upstream the undici transport's tests use: one set of misbehaviours for both
// transports (a test helper, not a dependency between the packages).
import {
  GOOD_BODY,
  MISBEHAVIOURS,
  SENT_BYTES,
  startRawUpstream,
} from '../../transport-undici/test/support/raw-upstream.js';
import { fetchTransport } from '../src/index.js';

/**
 * The fetch transport against upstreams that misbehave at the byte level (raw `net` servers on
 * 127.0.0.1, port 0): every call ends within its bounds with a typed error that quotes none of
 * the server's bytes, on `send` + reading the body and on `sendBuffered`, and the next call on
 * the same origin succeeds. Node's fetch is undici inside, so the cases match the undici
 * transport's, but its errors come wrapped (`TypeError: fetch failed` with the cause below).
 */

const READ_TIMEOUT = 600;
const SLACK = 3000;

describe('fetch transport against misbehaving upstreams', () => {
  let upstream: Awaited<ReturnType<typeof startRawUpstream>>;
  let transport: Transport;

  beforeAll(async () => {
    upstream = await startRawUpstream(MISBEHAVIOURS);
    transport = fetchTransport({ readTimeout: READ_TIMEOUT, maxResponseSize: 64 * 1024 });
  });
  afterAll(async () => {
    await transport.close();
    await upstream.close();
  });

  const request = (path: string, extra: Partial<TransportRequest> = {}): TransportRequest => ({
    method: 'GET',
    origin: upstream.origin,
    path,
    headers: {},
    ...extra,
  });

  async function bothPaths(path: string) {
    const outcomes: { via: string; error: unknown; ms: number }[] = [];
    for (const via of ['send', 'sendBuffered'] as const) {
      const started = performance.now();
      let error: unknown;
      try {
        if (via === 'send') await (await transport.send(request(path))).text();
        else await transport.sendBuffered!(request(path));
      } catch (caught) {
        error = caught;
      }
      outcomes.push({ via, error, ms: performance.now() - started });
    }
    return outcomes;
  }

  async function expectNextCallSucceeds() {
    const res = await transport.sendBuffered!(request('/good'));
    expect(new TextDecoder().decode(res.bodyBytes)).toBe(GOOD_BODY);
    expect(await (await transport.send(request('/good'))).text()).toBe(GOOD_BODY);
  }

  function expectTypedWithoutBytes(error: unknown) {
    expect(isServiceCallerError(error)).toBe(true);
    expect(typeof (error as { code?: unknown }).code).toBe('string');
    for (const bytes of SENT_BYTES) expect((error as Error).message).not.toContain(bytes);
  }

  it.each([
    ['an SSH banner', '/ssh'],
    ['bytes that are not HTTP', '/garbage'],
    ['a bad status line', '/bad-status'],
    ['a bad chunk size', '/bad-chunk'],
    ['a NUL in a header value', '/nul-header'],
    ['headers past the size limit', '/header-flood'],
    ['an unrequested 100 Continue', '/continue'],
  ])('fails %s with a ConnectionError that quotes none of the bytes, then recovers', async (_, path) => {
    for (const { via, error, ms } of await bothPaths(path)) {
      expect(isConnectionError(error), `${via}: ${String(error)}`).toBe(true);
      expectTypedWithoutBytes(error);
      expect(ms, via).toBeLessThan(READ_TIMEOUT + SLACK);
    }
    await expectNextCallSucceeds();
  });

  it('fails headers that never end within the read timeout', async () => {
    for (const { via, error, ms } of await bothPaths('/headers-never-end')) {
      expect(isTimeoutError(error), `${via}: ${String(error)}`).toBe(true);
      expect(ms, via).toBeLessThan(READ_TIMEOUT + SLACK);
    }
    await expectNextCallSucceeds();
  });

  it('stops an endless body at maxResponseSize', async () => {
    for (const { via, error, ms } of await bothPaths('/endless')) {
      expect(isResponseTooLargeError(error), `${via}: ${String(error)}`).toBe(true);
      expect(ms, via).toBeLessThan(SLACK);
    }
    await expectNextCallSucceeds();
  });

  it('ends a body trickling a byte at a time at the call’s signal', async () => {
    const bound = 400;
    for (const via of ['send', 'sendBuffered'] as const) {
      const signal = AbortSignal.timeout(bound);
      const started = performance.now();
      const outcome = await (via === 'send'
        ? transport.send(request('/trickle', { signal })).then((res) => res.text())
        : transport.sendBuffered!(request('/trickle', { signal }))
      ).then(
        () => 'resolved',
        (error: unknown) => error,
      );
      expect(outcome, via).toBe(signal.reason);
      expect(performance.now() - started, via).toBeLessThan(bound + SLACK);
    }
    await expectNextCallSucceeds();
  });
});
