import { describe, expect, it } from 'vitest';
import { startProgress } from '../src/progress.js';

/** A writable that records what was written; `isTTY` says whether it plays a terminal. */
function recordingStream(isTTY: boolean) {
  const writes: string[] = [];
  let notify: (() => void) | undefined;
  return {
    isTTY,
    writes,
    write(text: string | Uint8Array) {
      writes.push(String(text));
      notify?.();
      return true;
    },
    /** Resolves on the next write, or rejects after `ms`. */
    nextWrite(ms: number) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no write within ${ms} ms`)), ms);
        notify = () => {
          clearTimeout(timer);
          notify = undefined;
          resolve();
        };
      });
    },
  };
}

describe('progress indicator', () => {
  it('draws done/total and failures on a terminal once the delay has passed, and erases itself on stop', async () => {
    const stream = recordingStream(true);
    const progress = startProgress({ stream, total: 5, label: 'calls', delayMs: 0, intervalMs: 10 });
    progress.tick(false);
    progress.tick(true);
    await stream.nextWrite(5_000);
    expect(stream.writes.at(-1)).toBe('\r\u001b[2K  2/5 calls (1 failed)');
    progress.stop();
    expect(stream.writes.at(-1)).toBe('\r\u001b[2K');
    const count = stream.writes.length;
    progress.stop();
    expect(stream.writes).toHaveLength(count);
  });

  it('draws nothing on a stream that is not a terminal', () => {
    const stream = recordingStream(false);
    const progress = startProgress({ stream, total: 3, label: 'calls', delayMs: 0 });
    progress.tick(false);
    progress.stop();
    expect(stream.writes).toEqual([]);
  });

  it('draws nothing when the run ends before the delay', () => {
    const stream = recordingStream(true);
    const progress = startProgress({ stream, total: 3, label: 'calls', delayMs: 60_000 });
    progress.tick(false);
    progress.stop();
    expect(stream.writes).toEqual([]);
  });
});
