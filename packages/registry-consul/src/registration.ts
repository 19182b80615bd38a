import type { Logger } from '@service-caller/core';
import type { OutageLog } from '@service-caller/core/adapter';
import type { ConsulApi, ServiceDefinition } from './consul-api.js';
import { type ErrorContext, isUnreachable, statusOf, toRegistryError } from './consul-error.js';
import { backoffDelay, Sleeper } from './pacing.js';

export interface RegistrationDependencies {
  readonly api: ConsulApi;
  readonly outage: OutageLog;
  readonly logger: Logger;
  errorContext(action: string): ErrorContext;
}

/**
 * One instance registered by this process, and, for a TTL check, the heartbeat that keeps it
 * passing: a pass every third of the TTL, so two heartbeats may be lost before the check turns
 * critical. When the agent answers 404 to a pass, it has forgotten the instance (an agent that
 * restarted without its data): the heartbeat registers it again.
 */
export class Registration {
  private readonly sleeper = new Sleeper();
  private stopped = false;
  private beating: Promise<void> | undefined;

  constructor(
    readonly definition: ServiceDefinition,
    private readonly ttlMs: number | undefined,
    private readonly deps: RegistrationDependencies,
  ) {}

  get checkId(): string {
    return this.definition.Check.CheckID!;
  }

  /** Registers the instance and, for a TTL check, passes it once and starts the heartbeat. */
  async start(): Promise<void> {
    await this.deps.api.register(this.definition);
    if (this.ttlMs === undefined) return;
    try {
      // Without a first pass the TTL check would stay critical (Consul's initial state) for a beat.
      await this.deps.api.passCheck(this.checkId);
    } catch (err) {
      // Half a registration helps nobody: take it back (best effort) and report the failure.
      await this.deps.api.deregister(this.definition.ID).catch(() => {});
      throw err;
    }
    this.beating = this.heartbeat(this.ttlMs);
  }

  /** Ends the heartbeat; resolves once a pass in flight has finished, so none lands afterwards. */
  stop(): Promise<void> {
    this.stopped = true;
    this.sleeper.wake();
    return this.beating ?? Promise.resolve();
  }

  private async heartbeat(ttlMs: number): Promise<void> {
    const period = Math.max(1, Math.floor(ttlMs / 3));
    const source = `registration:${this.definition.ID}`;
    let failures = 0;
    while (!this.stopped) {
      await this.sleeper.sleep(failures === 0 ? period : Math.min(period, backoffDelay(failures)));
      if (this.stopped) return;
      try {
        await this.pass();
        failures = 0;
        this.deps.outage.recovered('agent', '[consul] the agent answers again; heartbeats go through');
        this.deps.outage.recovered(source, `[consul] the TTL check of '${this.definition.ID}' passes again`);
      } catch (err) {
        if (this.stopped) return;
        failures += 1;
        const error = toRegistryError(
          err,
          this.deps.errorContext(`passing the TTL check of '${this.definition.ID}'`),
        );
        const delay = Math.min(period, backoffDelay(failures));
        this.deps.outage.failed(
          isUnreachable(err) ? 'agent' : source,
          `${error.message}; '${this.definition.ID}' turns critical in Consul if this lasts longer than its TTL; retrying`,
          `${error.message}; retrying in ${delay} ms`,
        );
      }
    }
  }

  private async pass(): Promise<void> {
    try {
      await this.deps.api.passCheck(this.checkId);
    } catch (err) {
      if (statusOf(err) !== 404 || this.stopped) throw err;
      await this.deps.api.register(this.definition);
      await this.deps.api.passCheck(this.checkId);
      this.deps.logger.info(`[consul] the agent had forgotten '${this.definition.ID}'; registered it again`, {
        registry: 'consul',
      });
    }
  }
}
