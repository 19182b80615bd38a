import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { ServiceInterceptor } from '@service-caller/core';
import { CALL_ENDINGS, finishCall, type PlayedCall, startCall } from './calls.js';

/*
 * The checks of `testInterceptor` that need more than one call. Each throws an Error that says
 * what the interceptor did wrong; they are separate functions so that the testkit's own tests
 * can show that each one fails for an interceptor with that fault.
 */

/** What the interceptor is allowed to change in a call's outcome. */
export interface OutcomeFreedom {
  readonly replacesResult: boolean;
  readonly handlesErrors: boolean;
}

/** Calls in flight at once in {@link checkConcurrentCalls}: every ending, several times over. */
const CONCURRENT_CALLS = 24;

/**
 * Starts {@link CONCURRENT_CALLS} calls through `beforeRequest` at once (successes, 503s, calls
 * with no instance and calls without a response, interleaved), checks that each call's request
 * still carries its own marker header and query value, then ends them all at once in another
 * order and checks that each call kept its own result or error. An interceptor that keeps "the
 * current call" in a field, or shares one headers object between calls, fails here.
 */
export async function checkConcurrentCalls(
  interceptor: ServiceInterceptor,
  freedom: OutcomeFreedom,
): Promise<void> {
  const calls = await Promise.all(
    Array.from({ length: CONCURRENT_CALLS }, (_, i) =>
      startCall(interceptor, i, CALL_ENDINGS[i % CALL_ENDINGS.length]!),
    ),
  );
  calls.forEach((call, i) => {
    const marker = call.ctx.options.headers?.['x-conformance-call'];
    if (marker !== String(i)) {
      throw new Error(
        `concurrent calls: after beforeRequest, call ${i} carries the marker header of ${marker === undefined ? 'no call' : `call ${marker}`}: its headers must stay its own`,
      );
    }
    const query = call.ctx.options.query;
    const value = query instanceof URLSearchParams ? query.get('call') : query?.call;
    if (String(value) !== String(i)) {
      throw new Error(`concurrent calls: after beforeRequest, call ${i} has query call=${String(value)}`);
    }
  });
  // Ended in an order unlike the start: every third call first, backwards.
  const order = calls.map((_, i) => i).sort((a, b) => (a % 3) - (b % 3) || b - a);
  await Promise.all(order.map((i) => finishCall(interceptor, calls[i]!, i)));
  for (const [i, call] of calls.entries()) checkOwnOutcome(call, i, freedom);
}

function checkOwnOutcome(call: PlayedCall, i: number, freedom: OutcomeFreedom): void {
  const { ctx, ending, outcome } = call;
  if (ending === 'success') {
    if (ctx.error !== undefined) {
      throw new Error(
        `concurrent calls: call ${i} succeeded but ended with an error: ${describe(ctx.error)}`,
      );
    }
    if (!freedom.replacesResult && ctx.result !== outcome) {
      throw new Error(`concurrent calls: call ${i} ended with another result: ${describe(ctx.result)}`);
    }
    return;
  }
  if (freedom.handlesErrors && ctx.error === undefined) return;
  if (ctx.error !== outcome) {
    throw new Error(
      `concurrent calls: call ${i} (${ending}) ended with another error than its own: ${describe(ctx.error)}`,
    );
  }
}

function describe(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Rounds of calls in {@link checkNoRetainedCalls}, and calls per round. */
const RETENTION_ROUNDS = 3;
const RETENTION_CALLS = 8;
/** Garbage collections tried before a context still alive counts as held. */
const GC_TRIES = 10;

/**
 * Plays {@link RETENTION_ROUNDS} rounds of calls (every ending) through the interceptor, lets go
 * of them, collects garbage and checks that none of the contexts, attempts or responses is still alive:
 * the interceptor, which stays alive, must not hold per-call state after `afterResponse` (a Map
 * keyed on the context that is never cleared, a list of recent calls). State kept in a `WeakMap`
 * keyed on the context, or in `ctx.attributes`, passes.
 */
export async function checkNoRetainedCalls(interceptor: ServiceInterceptor): Promise<void> {
  const refs = await playAndForget(interceptor);
  const collect = garbageCollector();
  let alive = refs.length;
  for (let tries = 0; tries < GC_TRIES && alive > 0; tries++) {
    // WeakRefs are only cleared between jobs: give the collection its own turn of the loop.
    await new Promise((resolve) => setImmediate(resolve));
    collect();
    await new Promise((resolve) => setImmediate(resolve));
    alive = refs.filter((ref) => ref.deref() !== undefined).length;
  }
  if (alive > 0) {
    throw new Error(
      `per-call state: the interceptor still holds ${alive} of the ${refs.length} contexts, attempts and responses of calls that ended: drop what it keeps per call in afterResponse (per attempt in afterAttempt), or key it on the context (the attempt) in a WeakMap`,
    );
  }
}

async function playAndForget(interceptor: ServiceInterceptor): Promise<WeakRef<object>[]> {
  const refs: WeakRef<object>[] = [];
  for (let round = 0; round < RETENTION_ROUNDS; round++) {
    const calls = await Promise.all(
      Array.from({ length: RETENTION_CALLS }, (_, i) =>
        startCall(interceptor, i, CALL_ENDINGS[i % CALL_ENDINGS.length]!),
      ),
    );
    for (const [i, call] of calls.entries()) await finishCall(interceptor, call, i);
    for (const { ctx } of calls) {
      refs.push(new WeakRef(ctx));
      for (const attempt of ctx.attempts) refs.push(new WeakRef(attempt));
      if (ctx.response !== undefined) refs.push(new WeakRef(ctx.response));
    }
  }
  return refs;
}

/** V8's `gc()`, made available at run time (the test runner was not started with `--expose-gc`). */
function garbageCollector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as unknown;
  if (typeof gc !== 'function') {
    throw new Error(
      'per-call state: this runtime gives no gc() to check with (the check needs Node or Deno on V8)',
    );
  }
  return gc as () => void;
}

/**
 * Creates the interceptor twice and runs calls through one of them: both must have the same
 * name, and the name must not change. `removeInterceptor(name)` and the chain's duplicate check
 * rely on it.
 */
export async function checkStableName(
  create: () => ServiceInterceptor | Promise<ServiceInterceptor>,
): Promise<void> {
  const first = await create();
  const second = await create();
  const name = first.name;
  if (second.name !== name) {
    throw new Error(
      `stable name: two interceptors made by create() are named '${name}' and '${second.name}'`,
    );
  }
  for (const [i, ending] of CALL_ENDINGS.entries()) {
    await finishCall(first, await startCall(first, i, ending), i);
    if (first.name !== name) {
      throw new Error(
        `stable name: the name changed from '${name}' to '${first.name}' after a ${ending} call`,
      );
    }
  }
}
