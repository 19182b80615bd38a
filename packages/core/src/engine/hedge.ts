import type { ServiceInstance } from '../contracts/instance.js';
import type { RawResponse, TransportRequest } from '../contracts/transport.js';
import { ServiceCallerError } from '../errors/index.js';
import type { AttemptRecord } from './attempt-record.js';
import type { AttemptRunner } from './attempt-runner.js';
import { failedCall } from './call-failure.js';
import type { CallContext } from './context.js';
import { callAborted } from './deadline.js';
import { CANCELLED_CODE, failureKind } from './failure-kind.js';
import { retriesFailure } from './retry-policy.js';

/**
 * Whether a call may hedge: only idempotent calls (the methods its retry policy retries), with
 * a body that can be sent more than once, and attempts to spare.
 */
export function mayHedge(ctx: CallContext): boolean {
  const policy = ctx.retryPolicy;
  return (
    policy.attempts > 1 && policy.methods.has(ctx.method) && !(ctx.requestBody instanceof ReadableStream)
  );
}

/**
 * A hedged call: its first attempt goes at once; while no answer has arrived, another attempt
 * goes to another instance every `hedgeDelay` (the balancer sees the running ones as tried), up
 * to the policy's `attempts`, each taken from the retry budget. The first answer that is not
 * retryable wins: the others are aborted (their outcome is `cancelled`, held against no
 * instance) and the call reads the winner's. A retryable failure or status does not end the
 * call while another attempt runs; it sends the next attempt at once (gRPC's hedging rule).
 * When the last running attempt fails and none may follow, the call fails with that failure.
 */
export function runHedged(runner: AttemptRunner, ctx: CallContext): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    new HedgedCall(runner, ctx, resolve, reject).start();
  });
}

function cancellation(): ServiceCallerError {
  return new ServiceCallerError('attempt cancelled: another attempt of the call answered first', {
    code: CANCELLED_CODE,
  });
}

class HedgedCall {
  readonly #runner: AttemptRunner;
  readonly #ctx: CallContext;
  readonly #resolve: () => void;
  readonly #reject: (error: unknown) => void;
  readonly #live = new Set<AttemptRecord>();
  #done = false;
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;

  constructor(
    runner: AttemptRunner,
    ctx: CallContext,
    resolve: () => void,
    reject: (error: unknown) => void,
  ) {
    this.#runner = runner;
    this.#ctx = ctx;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  start(): void {
    this.#launch('first');
  }

  /** Sends one more attempt; the first one may have to look the instances up first. */
  #launch(kind: 'first' | 'hedge'): void {
    const ctx = this.#ctx;
    const instances = this.#runner.instances(ctx);
    if (!(instances instanceof Promise)) {
      this.#send(kind, instances);
      return;
    }
    instances.then(
      (found: readonly ServiceInstance[]) => {
        if (!this.#done) this.#send(kind, found);
      },
      (error: unknown) => this.#nothingToSend(error),
    );
  }

  #send(kind: 'first' | 'hedge', instances: readonly ServiceInstance[]): void {
    const ctx = this.#ctx;
    let request: TransportRequest;
    try {
      request = this.#runner.begin(ctx, instances, kind);
    } catch (error) {
      this.#nothingToSend(error);
      return;
    }
    const record = ctx.current!;
    this.#live.add(record);
    this.#runner.send(ctx, request).then(
      (response) => this.#answered(record, response),
      (error: unknown) => this.#failed(record, error),
    );
    this.#arm();
  }

  /** Starting an attempt failed (no instance, a lookup that failed, a beforeAttempt that threw). */
  #nothingToSend(error: unknown): void {
    if (this.#done) return;
    // Another attempt may still answer; without one, this is the call's failure.
    if (this.#live.size === 0) this.#fail(error);
  }

  /** After `hedgeDelay` without an answer, the next hedge goes (when one may). */
  #arm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const ctx = this.#ctx;
    if (ctx.attempt >= ctx.retryPolicy.attempts) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#done && this.#mayLaunch()) this.#launch('hedge');
    }, ctx.hedgeDelay);
  }

  /** Whether another attempt may go now: attempts left, the call not aborted, the budget willing. */
  #mayLaunch(): boolean {
    const ctx = this.#ctx;
    if (ctx.attempt >= ctx.retryPolicy.attempts || callAborted(ctx)) return false;
    return this.#runner.takeRetry(ctx, performance.now());
  }

  #answered(record: AttemptRecord, response: RawResponse): void {
    this.#live.delete(record);
    const arrived = performance.now();
    const ctx = this.#ctx;
    if (this.#done) {
      // It answered after another had won: its outcome is known, its answer not needed.
      this.#runner.discard(ctx, record, response, arrived);
      return;
    }
    const status = response.status;
    if (!(status >= 200 && status < 300) && ctx.retryPolicy.statuses.has(status)) {
      // Not the answer to keep while another attempt may do better.
      if (this.#live.size > 0) {
        this.#runner.discard(ctx, record, response, arrived);
        this.#launchNow();
        return;
      }
      if (this.#mayLaunch()) {
        this.#runner.discard(ctx, record, response, arrived);
        this.#launch('hedge');
        return;
      }
    }
    this.#finish();
    let committed: Promise<void> | undefined;
    try {
      committed = this.#runner.commit(ctx, record, response, arrived);
    } catch (error) {
      this.#reject(error);
      return;
    }
    if (committed === undefined) this.#resolve();
    else committed.then(this.#resolve, this.#reject);
  }

  #failed(record: AttemptRecord, error: unknown): void {
    this.#live.delete(record);
    const ctx = this.#ctx;
    const runner = this.#runner;
    const failure = runner.failureOf(ctx, record, error);
    runner.outcomes.report(ctx, record, undefined, failure);
    if (this.#done) return;
    const aborted = callAborted(ctx);
    if (!aborted && retriesFailure(ctx.retryPolicy, failureKind(failure), undefined)) {
      if (this.#live.size > 0) {
        this.#launchNow();
        return;
      }
      if (this.#mayLaunch()) {
        this.#launch('hedge');
        return;
      }
    }
    // A failure no retry answers (or the call's abort) decides the call, as a winner would.
    this.#fail(failure);
  }

  /** A retryable failure while others run: the next attempt goes now instead of after the delay. */
  #launchNow(): void {
    if (this.#mayLaunch()) this.#launch('hedge');
  }

  #fail(failure: unknown): void {
    this.#finish();
    this.#reject(failedCall(this.#ctx, failure));
  }

  /** The call is decided: no more hedges, and the attempts still running are aborted. */
  #finish(): void {
    this.#done = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const record of this.#live) record.controller?.abort(cancellation());
  }
}
