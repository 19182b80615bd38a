import { runAfterAttempt } from '../chain/attempt-stages.js';
import type { Pick } from '../contracts/balancer.js';
import type { Logger } from '../contracts/logger.js';
import { HttpStatusError } from '../errors/index.js';
import type { AttemptRecord } from './attempt-record.js';
import type { CallContext } from './context.js';

/**
 * Ends an attempt, exactly once, and tells whoever learns from it: the pick's `done()` (load-aware
 * balancers) and the interceptors' `afterAttempt`. The per-instance health that outlier ejection
 * keeps will be told here too. A throw in any of them is logged: the attempt's outcome stands.
 */
export class AttemptOutcomes {
  readonly #balancerName: string;
  readonly #logger: Logger;

  constructor(balancerName: string, logger: Logger) {
    this.#balancerName = balancerName;
    this.#logger = logger;
  }

  /**
   * Ends `record` with `status` (when a response arrived) and `failure` (what the attempt threw,
   * or the 5xx it did not throw for), at `endTime` when the caller has read the clock already.
   */
  report(
    ctx: CallContext,
    record: AttemptRecord,
    pick: Pick,
    status: number | undefined,
    failure: unknown,
    endTime?: number,
  ): void {
    // A 4xx is the caller's doing, not the instance's: the attempt did not fail.
    const error = failure instanceof HttpStatusError && failure.status < 500 ? undefined : failure;
    record.end(status, error, endTime);
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
