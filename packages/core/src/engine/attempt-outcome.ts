import { runAfterAttempt } from '../chain/attempt-stages.js';
import type { Logger } from '../contracts/logger.js';
import { HttpStatusError } from '../errors/index.js';
import type { OutlierEjection } from '../filters/outlier-ejection.js';
import type { AttemptRecord } from './attempt-record.js';
import type { CallContext } from './context.js';
import { endAttemptSignal } from './deadline.js';
import { countsAgainstInstance, failureKind } from './failure-kind.js';

/**
 * Ends an attempt, exactly once, and tells whoever learns from it: the instance's health (its
 * counts and the outlier ejection that reads them), the pick's `done()` (load-aware balancers)
 * and the interceptors' `afterAttempt`. A throw in `done()` or a hook is logged: the attempt's
 * outcome stands.
 */
export class AttemptOutcomes {
  readonly #balancerName: string;
  readonly #logger: Logger;
  readonly #ejection: OutlierEjection | undefined;

  constructor(balancerName: string, logger: Logger, ejection: OutlierEjection | undefined) {
    this.#balancerName = balancerName;
    this.#logger = logger;
    this.#ejection = ejection;
  }

  /**
   * Ends `record` with `status` (when a response arrived) and `failure` (what the attempt threw,
   * or the 5xx it did not throw for), at `endTime` when the caller has read the clock already.
   */
  report(
    ctx: CallContext,
    record: AttemptRecord,
    status: number | undefined,
    failure: unknown,
    endTime?: number,
  ): void {
    // A 4xx is the caller's doing, not the instance's: the attempt did not fail.
    const error = failure instanceof HttpStatusError && failure.status < 500 ? undefined : failure;
    record.end(status, error, endTime);
    if (record.controller !== undefined) endAttemptSignal(ctx, record);
    const kind = error === undefined ? undefined : failureKind(error);
    const counts = kind !== undefined && countsAgainstInstance(kind);
    const health = record.health;
    health.ended(record.latencyMs!, record.endTime!, counts, kind);
    // Only what says something about the instance moves its ejection state.
    if (this.#ejection !== undefined && (kind === undefined || counts)) {
      this.#ejection.observe(ctx.health!, health, kind, record.endTime!);
    }
    const pick = record.pick;
    if (pick.done !== undefined) {
      try {
        pick.done(record as AttemptRecord & { latencyMs: number });
      } catch (thrown) {
        this.#logger.error(`load balancer '${this.#balancerName}' threw in done(); ignored`, {
          balancer: this.#balancerName,
          error: thrown,
        });
      }
    }
    const hooks = ctx.attemptHooks;
    if (hooks !== undefined) runAfterAttempt(hooks, ctx, record, this.#logger);
  }
}
