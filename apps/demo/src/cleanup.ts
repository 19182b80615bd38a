/**
 * What the demo must undo before it exits, undone newest first: greeters deregister before their
 * servers stop, and everything is released on a normal end, on an error and on Ctrl-C alike.
 */
export class Cleanup {
  readonly #tasks: Array<{ label: string; run: () => Promise<void> }> = [];
  #running: Promise<void> | undefined;

  /** Adds `run` to be called by {@link Cleanup.run}, before everything added earlier. */
  defer(label: string, run: () => Promise<void>): void {
    this.#tasks.push({ label, run });
  }

  /**
   * Runs every task, newest first. A failing task is reported on stderr and the rest still run;
   * the whole is bounded by `timeoutMs`, so a registry that does not answer cannot keep the demo
   * alive. Idempotent: a second call returns the first one's promise.
   */
  run(timeoutMs: number): Promise<void> {
    this.#running ??= this.#runAll(timeoutMs);
    return this.#running;
  }

  async #runAll(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const all = (async () => {
      for (const task of this.#tasks.reverse()) {
        try {
          await task.run();
        } catch (error) {
          console.error(
            `demo: ${task.label} failed: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      }
    })();
    const outcome = await Promise.race([all, deadline]);
    clearTimeout(timer);
    if (outcome === 'timeout')
      console.error(`demo: shutting down took longer than ${timeoutMs} ms; leaving anyway`);
  }
}
