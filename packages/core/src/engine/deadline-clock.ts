import type { CallDeadline } from './call-deadline.js';

/** The deadlines of one timeout value, oldest first: the order they expire in. */
class DeadlineList {
  readonly timeoutMs: number;
  oldest: CallDeadline | undefined = undefined;
  newest: CallDeadline | undefined = undefined;

  constructor(timeoutMs: number) {
    this.timeoutMs = timeoutMs;
  }
}

/** The timer's callback: module-level, the clock as its argument, so no closure is made. */
function tick(clock: DeadlineClock): void {
  clock.sweep();
}

/** Lists of other timeout values kept, at most, while empty: past it, an emptied list is dropped. */
const MAX_IDLE_LISTS = 8;

/**
 * The calls' total timeouts of one engine, on one timer. A timer per call (`setTimeout` and
 * `clearTimeout` for a call that lasts a millisecond) is most of what a timeout costs; here a
 * call's deadline joins the list of the deadlines with the same timeout, and since they start in
 * order they expire in order: the list is sorted without sorting, and adding and removing are a
 * few field writes. The one timer is armed for the earliest deadline of all lists. When a
 * deadline ends before it expires, the timer is left as it is; when it fires with nothing due
 * yet (the deadline it was armed for has ended), it is armed again for the earliest one left.
 * So under load the timer fires about once per timeout, whatever the number of calls.
 *
 * A deadline expires when the timer fires at or after it: never early, and late only by the
 * event loop's own delay, as a `setTimeout` set for it would be, plus up to 1 ms (the timer's
 * delay is rounded up to whole milliseconds when it is armed for what is left).
 *
 * The timer holds the process open while a deadline that holds it is listed (a call in flight,
 * as its own timer did); a raw body left unread does not (its deadline keeps bounding the body,
 * from an unref'd timer where timers have `unref()`). With nothing listed, the timer is cleared.
 * @internal
 */
export class DeadlineClock {
  readonly #lists = new Map<number, DeadlineList>();
  /** The list used last: most calls have the engine's default timeout. */
  #last: DeadlineList | undefined = undefined;
  #listed = 0;
  /** Listed deadlines that hold the process open. */
  #holding = 0;
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** When the timer fires (`performance.now()`), or Infinity when there is none. */
  #timerAt = Number.POSITIVE_INFINITY;
  #sweeping = false;

  /** How many deadlines are listed (for tests). */
  get size(): number {
    return this.#listed;
  }

  /** Lists `deadline` (not listed yet); it expires at its `expiresAt` unless removed before. */
  add(deadline: CallDeadline): void {
    const list = this.#listFor(deadline.timeoutMs);
    const newest = list.newest;
    if (newest === undefined) list.oldest = deadline;
    else {
      newest.newer = deadline;
      deadline.older = newest;
    }
    list.newest = deadline;
    deadline.listed = true;
    this.#listed++;
    if (deadline.holds && this.#holding++ === 0) this.#hold(true);
    // The rare case that needs the timer moved: a shorter timeout than every one listed.
    if (deadline.expiresAt < this.#timerAt && !this.#sweeping) {
      this.#arm(deadline.expiresAt, deadline.timeoutMs);
    }
  }

  /** Takes `deadline` out (it ended, or expired); does nothing when it is not listed. */
  remove(deadline: CallDeadline): void {
    if (!deadline.listed) return;
    deadline.listed = false;
    const list = this.#listFor(deadline.timeoutMs);
    const { older, newer } = deadline;
    if (older === undefined) list.oldest = newer;
    else older.newer = newer;
    if (newer === undefined) list.newest = older;
    else newer.older = older;
    deadline.older = undefined;
    deadline.newer = undefined;
    if (deadline.holds && --this.#holding === 0 && this.#listed > 1) this.#hold(false);
    if (--this.#listed === 0 && !this.#sweeping) this.#disarm();
  }

  /** `deadline` (listed) no longer holds the process open: a raw call's unread body. */
  release(deadline: CallDeadline): void {
    if (!deadline.holds) return;
    deadline.holds = false;
    if (deadline.listed && --this.#holding === 0) this.#hold(false);
  }

  /** The timer fired: expires every deadline due, then arms the timer for the next. @internal */
  sweep(): void {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const now = performance.now();
    let due: CallDeadline[] | undefined;
    this.#sweeping = true;
    try {
      for (const list of this.#lists.values()) {
        for (let deadline = list.oldest; deadline !== undefined && deadline.expiresAt <= now; ) {
          const next = deadline.newer;
          this.remove(deadline);
          if (due === undefined) due = [deadline];
          else due.push(deadline);
          deadline = next;
        }
      }
      // Expired once out of the lists: what an abort runs (a transport's handler, a raw body's
      // end) may add or remove deadlines, and sees the lists as they now are.
      if (due !== undefined) for (const deadline of due) deadline.expire();
    } finally {
      this.#sweeping = false;
    }
    let next = Number.POSITIVE_INFINITY;
    for (const list of this.#lists.values()) {
      const oldest = list.oldest;
      if (oldest !== undefined && oldest.expiresAt < next) next = oldest.expiresAt;
    }
    if (next !== Number.POSITIVE_INFINITY) this.#arm(next, Math.max(1, Math.ceil(next - performance.now())));
  }

  #listFor(timeoutMs: number): DeadlineList {
    const last = this.#last;
    if (last !== undefined && last.timeoutMs === timeoutMs) return last;
    let list = this.#lists.get(timeoutMs);
    if (list === undefined) {
      if (this.#lists.size >= MAX_IDLE_LISTS) this.#dropIdleLists();
      list = new DeadlineList(timeoutMs);
      this.#lists.set(timeoutMs, list);
    }
    this.#last = list;
    return list;
  }

  /** Drops the empty lists: a caller that varies its timeout per call must not grow the map without end. */
  #dropIdleLists(): void {
    for (const [timeoutMs, list] of this.#lists) {
      if (list.oldest === undefined && list !== this.#last) this.#lists.delete(timeoutMs);
    }
  }

  /**
   * Arms the timer for `at`, `delay` ms from now. `#timerAt` is `at` itself, never later than
   * any deadline listed: a deadline added later and due before it moves the timer.
   */
  #arm(at: number, delay: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(tick, delay, this);
    if (this.#holding === 0) this.#hold(false);
  }

  #disarm(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  #hold(hold: boolean): void {
    const timer = this.#timer;
    // Node's timers have ref()/unref(); Deno's and workerd's setTimeout return a number.
    if (typeof timer !== 'object' || timer === null) return;
    if (hold) timer.ref?.();
    else timer.unref?.();
  }
}
