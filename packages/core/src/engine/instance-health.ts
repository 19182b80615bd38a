import type { ServiceInstance } from '../contracts/instance.js';
import type { FailureKind } from './failure-kind.js';
import { RetryBudget, type RetryBudgetSettings } from './retry-budget.js';

/** The recent figures' window: six buckets of ten seconds, the last minute. */
const BUCKETS = 6;
const BUCKET_MS = 10_000;
/** Per bucket: attempts, failures, latency sum, latency max. */
const FIELDS = 4;

/**
 * What the engine knows of one instance: attempts in flight, counts, the failure streak that
 * outlier ejection reads, its ejection state, and the last minute's figures for the snapshot.
 * Updating it per attempt is a handful of additions; nothing is allocated.
 * @internal
 */
export class InstanceHealth {
  readonly id: string;
  /** The instance as last picked or listed. */
  instance: ServiceInstance;
  inFlight = 0;
  attempts = 0;
  failures = 0;
  consecutiveFailures = 0;
  lastFailureKind: FailureKind | undefined = undefined;
  /** `performance.now()` of the last failure. */
  lastFailureAt = 0;
  /** `performance.now()` until which it is ejected; 0 when it is not. */
  ejectedUntil = 0;
  /**
   * Milliseconds the last ejection lasts, for the `returned` event: kept as decided, since
   * `ejectedUntil` minus the start rounds (99.99999999999989 for 100 once `performance.now()` is large).
   */
  ejectedFor = 0;
  ejectionReason: 'consecutive-failures' | 'connect-failure' | 'failed-on-return' = 'consecutive-failures';
  ejections = 0;
  /** Back from an ejection and not yet proven: the next failure ejects it again. */
  probation = false;
  /** `performance.now()` when its last ejection ended. */
  returnedAt = 0;
  readonly #recent = new Float64Array(BUCKETS * FIELDS);
  #bucket = -1;

  constructor(instance: ServiceInstance) {
    this.id = instance.id;
    this.instance = instance;
  }

  /** An attempt on this instance ended at `endTime` after `latency` ms; `failed` when it counts against it. */
  ended(latency: number, endTime: number, failed: boolean, kind: FailureKind | undefined): void {
    this.inFlight--;
    this.attempts++;
    const bucket = Math.floor(endTime / BUCKET_MS);
    if (bucket !== this.#bucket) this.#advance(bucket);
    const at = (bucket % BUCKETS) * FIELDS;
    const recent = this.#recent;
    recent[at]!++;
    recent[at + 2]! += latency;
    if (latency > recent[at + 3]!) recent[at + 3] = latency;
    if (failed) {
      this.failures++;
      this.consecutiveFailures++;
      this.lastFailureKind = kind;
      this.lastFailureAt = endTime;
      recent[at + 1]!++;
    } else if (kind === undefined) {
      // Only a success breaks a streak: a cancelled hedge or a failure of the caller's own says nothing.
      this.consecutiveFailures = 0;
    }
  }

  /** The last minute's figures at `now` (`performance.now()`). */
  recent(now: number): { attempts: number; failures: number; latencySum: number; latencyMax: number } {
    const bucket = Math.floor(now / BUCKET_MS);
    if (bucket !== this.#bucket) this.#advance(bucket);
    let attempts = 0;
    let failures = 0;
    let latencySum = 0;
    let latencyMax = 0;
    const recent = this.#recent;
    for (let i = 0; i < BUCKETS * FIELDS; i += FIELDS) {
      attempts += recent[i]!;
      failures += recent[i + 1]!;
      latencySum += recent[i + 2]!;
      if (recent[i + 3]! > latencyMax) latencyMax = recent[i + 3]!;
    }
    return { attempts, failures, latencySum, latencyMax };
  }

  /** Clears the buckets that left the window. */
  #advance(bucket: number): void {
    const gone = this.#bucket < 0 ? BUCKETS : Math.min(BUCKETS, bucket - this.#bucket);
    for (let i = 1; i <= gone; i++)
      this.#recent.fill(
        0,
        ((this.#bucket + i) % BUCKETS) * FIELDS,
        ((this.#bucket + i) % BUCKETS) * FIELDS + FIELDS,
      );
    this.#bucket = bucket;
  }
}

/**
 * What the engine knows of one service: its instances' health by id, its retry budget, its
 * counts, and the ejection state's bookkeeping (how many are out, when the next comes back, and
 * the ejection filter's cached output).
 * @internal
 */
export class ServiceHealth {
  readonly serviceName: string;
  readonly byId = new Map<string, InstanceHealth>();
  /** `undefined` when the engine has no retry budget. */
  readonly budget: RetryBudget | undefined;
  calls = 0;
  retries = 0;
  retriesRefused = 0;
  /** The instance list the last attempt started from (what "listed" means in the snapshot). */
  listed: readonly ServiceInstance[] = [];
  /** Instances ejected now. */
  ejected = 0;
  /** Changes whenever an instance is ejected or returns: the ejection filter's cache key. */
  version = 0;
  /** `performance.now()` when the next ejected instance comes back; Infinity when none is out. */
  nextReturnAt = Number.POSITIVE_INFINITY;
  filterInput: readonly ServiceInstance[] | undefined = undefined;
  filterVersion = -1;
  filterOutput: readonly ServiceInstance[] = [];

  constructor(serviceName: string, budget: RetryBudgetSettings | undefined) {
    this.serviceName = serviceName;
    this.budget = budget === undefined ? undefined : new RetryBudget(budget);
  }

  /** The health of `instance`, made on its first attempt. */
  of(instance: ServiceInstance): InstanceHealth {
    let health = this.byId.get(instance.id);
    if (health === undefined) {
      health = new InstanceHealth(instance);
      this.byId.set(instance.id, health);
      if (this.byId.size > 2 * this.listed.length + 16) this.#forgetGone();
    } else if (health.instance !== instance) {
      health.instance = instance;
    }
    return health;
  }

  /**
   * Drops what is known of instances that left the list and have nothing running or pending,
   * so a service whose instances come and go (autoscaling) does not grow this map for ever.
   */
  #forgetGone(): void {
    const listed = new Set(this.listed.map((instance) => instance.id));
    for (const [id, health] of this.byId) {
      if (!listed.has(id) && health.inFlight === 0 && health.ejectedUntil === 0) this.byId.delete(id);
    }
  }
}

/**
 * The engine's health of every service it calls, by name, with the last name remembered (calls
 * tend to go to one service many times in a row).
 * @internal
 */
export class HealthBook {
  readonly #byName = new Map<string, ServiceHealth>();
  readonly #budget: RetryBudgetSettings | undefined;
  #lastName: string | undefined = undefined;
  #last: ServiceHealth | undefined = undefined;

  constructor(budget: RetryBudgetSettings | undefined) {
    this.#budget = budget;
  }

  service(serviceName: string): ServiceHealth {
    if (serviceName === this.#lastName) return this.#last!;
    let health = this.#byName.get(serviceName);
    if (health === undefined) {
      health = new ServiceHealth(serviceName, this.#budget);
      this.#byName.set(serviceName, health);
    }
    this.#lastName = serviceName;
    this.#last = health;
    return health;
  }

  /** Every service called so far, in the order first called. */
  services(): IterableIterator<ServiceHealth> {
    return this.#byName.values();
  }
}
