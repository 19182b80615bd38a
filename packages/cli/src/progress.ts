import type { OutputStream } from './io.js';

/** Options of {@link startProgress}. */
export interface ProgressOptions {
  /** Where to draw; nothing is drawn unless it is a terminal (`isTTY`). */
  stream: OutputStream;
  /** How many steps make the whole run. */
  total: number;
  /** What is counted: `calls`. */
  label: string;
  /** Draw only once the run has lasted this long, so short runs stay quiet. @default 1000 */
  delayMs?: number;
  /** How often to redraw. @default 100 */
  intervalMs?: number;
}

/** A running progress indicator. */
export interface Progress {
  /** One more step done (and whether it failed). Cheap: drawing happens on a timer. */
  tick(failed: boolean): void;
  /** Stops drawing and erases the line. Idempotent. */
  stop(): void;
}

const ERASE_LINE = '\r\u001b[2K';

/**
 * A one-line `\r`-redrawn indicator on a terminal's stderr for runs longer than `delayMs`:
 * `  37/100 calls (2 failed)`. On anything but a terminal it draws nothing, so logs and pipes
 * stay clean. Its timers are unref'd: they never keep the process alive.
 */
export function startProgress(options: ProgressOptions): Progress {
  const { stream, total, label } = options;
  let done = 0;
  let failed = 0;
  let drawn = false;
  let interval: NodeJS.Timeout | undefined;
  const draw = (): void => {
    drawn = true;
    stream.write(`${ERASE_LINE}  ${done}/${total} ${label}${failed > 0 ? ` (${failed} failed)` : ''}`);
  };
  const delay =
    stream.isTTY === true
      ? setTimeout(() => {
          draw();
          interval = setInterval(draw, options.intervalMs ?? 100);
          interval.unref();
        }, options.delayMs ?? 1000)
      : undefined;
  delay?.unref();
  let stopped = false;
  return {
    tick(didFail) {
      done++;
      if (didFail) failed++;
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(delay);
      clearInterval(interval);
      if (drawn) stream.write(ERASE_LINE);
    },
  };
}
