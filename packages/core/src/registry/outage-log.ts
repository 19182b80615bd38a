import type { Logger } from '../contracts/logger.js';

/** Options of {@link OutageLog}. */
export interface OutageLogOptions {
  /** Where the lines go. */
  readonly logger: Logger;
  /** The registry's short name, added to each line's fields (`{ registry }`). */
  readonly registry: string;
  /**
   * Consecutive failed background operations (refreshes, heartbeats, reconnections, of any
   * source) that make an outage. One failure that the next operation follows with a success is
   * a blip: it is logged, but it does not make {@link OutageLog.recovering} true.
   * @default 2
   */
  readonly failuresForOutage?: number;
  /**
   * How long after an outage (or a server restart seen) {@link OutageLog.recovering} stays true:
   * a registry server that came back answers empty lists until its clients re-registered.
   * @default 15000
   */
  readonly recoveryHoldMs?: number;
  /** The clock, in milliseconds. @default Date.now */
  readonly now?: () => number;
}

/**
 * The outage log of a registry adapter: keeps the log quiet while the registry's server cannot
 * be reached, and tells the instance cache whether an empty list may be a server that lost its
 * state rather than a service without instances.
 *
 * Each background operation reports `failed(source, …)` or `recovered(source, …)`. Per source,
 * the first failure is one warning, repeats are debug lines, and the first success after a
 * failure is one info line. Sources are the adapter's own names (`server`, `discovery:users`):
 * one unreachable server shared by discovery and heartbeats is one source, so one outage is one
 * warning.
 *
 * What an outage is: `failuresForOutage` (2) consecutive failures, whatever their sources, or a
 * server restart the adapter saw (`restarted()`: a heartbeat the server did not know, a new
 * connection). A single failed operation answered again by the next one (a socket reset) is not
 * one. During an outage and for `recoveryHoldMs` after it, {@link recovering} is true.
 *
 * @example
 * ```ts
 * const outage = new OutageLog({ logger, registry: 'my-registry' });
 * try { await refresh(); outage.recovered('server', '[my] the server answers again'); }
 * catch (error) { outage.failed('server', `[my] refresh failed: ${String(error)}; keeping the last list`); }
 * ```
 */
export class OutageLog {
  readonly #logger: Logger;
  readonly #registry: string;
  readonly #failuresForOutage: number;
  readonly #holdMs: number;
  readonly #now: () => number;
  /** Per failing source: since when (`now()`). */
  readonly #failing = new Map<string, number>();
  #streak = 0;
  #heldUntil = Number.NEGATIVE_INFINITY;

  constructor(options: OutageLogOptions) {
    this.#logger = options.logger;
    this.#registry = options.registry;
    this.#failuresForOutage = Math.max(1, options.failuresForOutage ?? 2);
    this.#holdMs = options.recoveryHoldMs ?? 15_000;
    this.#now = options.now ?? Date.now;
  }

  /** Whether some source's last operation failed. */
  get down(): boolean {
    return this.#failing.size > 0;
  }

  /** Whether the failures in a row reached `failuresForOutage`: the server is out, not blipping. */
  get inOutage(): boolean {
    return this.#streak >= this.#failuresForOutage;
  }

  /**
   * Whether the server is in an outage, or came out of one (or restarted) less than
   * `recoveryHoldMs` ago: while this holds, an empty list is more likely a server that lost its
   * state than a service without instances.
   */
  get recovering(): boolean {
    return this.inOutage || this.#now() < this.#heldUntil;
  }

  /** Whether `source` is in a failure streak. */
  isFailing(source: string): boolean {
    return this.#failing.has(source);
  }

  /**
   * A background operation of `source` failed. Logs `warning` at warn level when the source was
   * not failing yet, `repeat` (or `warning`) at debug level otherwise.
   */
  failed(source: string, warning: string, repeat?: string): void {
    this.#streak++;
    if (this.#failing.has(source)) {
      this.#logger.debug(repeat ?? warning, { registry: this.#registry, source });
      return;
    }
    this.#failing.set(source, this.#now());
    this.#logger.warn(warning, { registry: this.#registry, source });
  }

  /**
   * A background operation of `source` succeeded. When the source was failing, logs `message`
   * (given how long it failed, in milliseconds) at info level. Ends the failure streak; when the
   * streak was an outage, the recovery hold starts now.
   */
  recovered(source: string, message: string | ((downForMs: number) => string)): void {
    if (this.inOutage) this.#hold();
    this.#streak = 0;
    const since = this.#failing.get(source);
    if (since === undefined) return;
    this.#failing.delete(source);
    const text = typeof message === 'string' ? message : message(this.#now() - since);
    this.#logger.info(text, { registry: this.#registry, source });
  }

  /**
   * The adapter saw that the server lost its state (a heartbeat it did not know, a reconnection
   * to a server): an empty list is not believed for `recoveryHoldMs` from now.
   */
  restarted(): void {
    this.#hold();
  }

  #hold(): void {
    this.#heldUntil = Math.max(this.#heldUntil, this.#now() + this.#holdMs);
  }
}
