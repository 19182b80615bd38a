import type { CallAttempt } from '../contracts/context.js';
import type { ServiceInstance } from '../contracts/instance.js';
import type { OutgoingHeaders } from '../contracts/transport.js';

/**
 * The engine's `CallAttempt`: made when the instance has been picked, ended once with the
 * outcome. It doubles as the `AttemptOutcome` the pick's `done()` receives, so reporting an
 * attempt costs no object beyond this one.
 * @internal
 */
export class AttemptRecord implements CallAttempt {
  readonly number: number;
  readonly instance: ServiceInstance;
  readonly url: string;
  readonly startTime: number;
  readonly headers: OutgoingHeaders;
  status: number | undefined = undefined;
  error: unknown = undefined;
  endTime: number | undefined = undefined;
  latencyMs: number | undefined = undefined;

  constructor(number: number, instance: ServiceInstance, url: string, headers: OutgoingHeaders) {
    this.number = number;
    this.instance = instance;
    this.url = url;
    this.headers = headers;
    this.startTime = performance.now();
  }

  /** Whether the outcome is known. */
  get ended(): boolean {
    return this.latencyMs !== undefined;
  }

  /**
   * Records the outcome (see `AttemptOutcome` for what `error` holds) at `endTime`: a clock
   * reading the caller already has (a clock read costs tens of nanoseconds), else now.
   */
  end(status: number | undefined, error: unknown, endTime = performance.now()): void {
    this.status = status;
    this.error = error;
    this.endTime = endTime;
    this.latencyMs = endTime - this.startTime;
  }
}
