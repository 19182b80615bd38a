import type { Logger, RegistryError } from '@service-caller/core';

/**
 * Keeps the log quiet during an outage: the first failure of a source is a warning, repeats are
 * debug lines, and the first success after a failure says so once. Sources: `agent` for an agent
 * that cannot be reached (shared by discovery and heartbeats, so one outage is one warning),
 * `discovery:<name>` and `registration:<id>` for refusals that concern one service.
 */
export class OutageLog {
  private readonly failing = new Set<string>();

  constructor(private readonly logger: Logger) {}

  failed(source: string, error: RegistryError, consequence: string, retryInMs: number): void {
    if (this.failing.has(source)) {
      this.logger.debug(`${error.message}; retrying in ${retryInMs} ms`, { registry: 'consul', source });
      return;
    }
    this.failing.add(source);
    this.logger.warn(`${error.message}; ${consequence}`, { registry: 'consul', source });
  }

  recovered(source: string, message: string): void {
    if (this.failing.delete(source)) this.logger.info(message, { registry: 'consul', source });
  }

  /** Whether `source` is in a failure streak. */
  isFailing(source: string): boolean {
    return this.failing.has(source);
  }
}
