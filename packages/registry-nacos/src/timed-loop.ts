/**
 * Runs a task again and again, one run at a time, each after a delay, until the task says it is
 * done or `stop()` is called. The heartbeats and background registration both need exactly this:
 * nothing overlaps, `stop()` waits for a run in flight (so nothing happens after it resolves), and
 * the timers are `unref()`ed, so a loop never keeps the process alive by itself.
 */
export class TimedLoop {
  readonly #run: () => Promise<'again' | 'done'>;
  readonly #delayMs: () => number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #inFlight: Promise<void> | undefined;
  #stopped = false;

  /** Schedules the first run at once (after `delayMs()`). */
  constructor(run: () => Promise<'again' | 'done'>, delayMs: () => number) {
    this.#run = run;
    this.#delayMs = delayMs;
    this.#schedule();
  }

  /** Whether `stop()` was called. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Stops the loop and waits for a run in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#inFlight;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#inFlight = this.#run()
        .then((next) => {
          if (next === 'again') this.#schedule();
        })
        .finally(() => {
          this.#inFlight = undefined;
        });
    }, this.#delayMs());
    this.#timer.unref?.();
  }
}
