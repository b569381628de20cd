// One timer for thousands of clients: a min-heap of due times behind a single Node timer that
// sleeps until the earliest one (no fixed tick: an idle driver does not wake up, a busy one
// wakes once per due time, at most once a millisecond). Avoids a setTimeout per message or
// per reconnect (event-loop stalls at scale).
import { MinHeap } from '../util/min-heap';

export interface Timed {
  /** Called when due. `kind` says which of the owner's timers fired. */
  onTimer(kind: number, nowMs: number): void;
}

interface Entry { at: number; owner: Timed; kind: number; seq: number }

const before = (a: Entry, b: Entry): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);

/** Node timers count whole milliseconds: never ask for less than one (no busy re-arming). */
const MIN_DELAY_MS = 1;

export class Scheduler {
  private heap = new MinHeap<Entry>(before);
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;
  private armedAt = Infinity;  // the due time the timer is set for
  private running = false;
  private firing = false;      // inside runDue from the timer: re-armed once, after it

  constructor(private readonly now: () => number) {}

  /** Runs `owner.onTimer(kind)` at (or just after) time `at` (same clock as `now`). */
  at(at: number, owner: Timed, kind: number): void {
    this.heap.push({ at, owner, kind, seq: this.seq++ });
    if (this.running && !this.firing && at < this.armedAt) this.arm();
  }

  get size(): number { return this.heap.size; }

  /** The due time the timer is set for (Infinity when none): for tests. */
  get wakeAt(): number { return this.armedAt; }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.arm();
  }

  stop(): void {
    this.running = false;
    this.disarm();
    this.heap.clear();
  }

  /** Fires every entry that is due now; entries added while running wait for their time if not due. */
  runDue(): void {
    const now = this.now();
    const heap = this.heap;
    for (let top = heap.peek(); top !== undefined && top.at <= now; top = heap.peek()) {
      heap.pop();
      top.owner.onTimer(top.kind, now);
    }
  }

  private readonly fire = (): void => {
    this.timer = null;
    this.armedAt = Infinity;
    this.firing = true;
    try {
      this.runDue();
    } finally {
      this.firing = false;
      if (this.running) this.arm();
    }
  };

  /**
   * Sets the one timer for the earliest entry (nothing when the heap is empty). Callers arm only
   * when that entry is earlier than the timer (at()) or no timer is set (start(), after firing).
   */
  private arm(): void {
    const top = this.heap.peek();
    if (top === undefined) return this.disarm();
    this.disarm();
    this.armedAt = top.at;
    this.timer = setTimeout(this.fire, Math.max(MIN_DELAY_MS, Math.ceil(top.at - this.now())));
  }

  private disarm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.armedAt = Infinity;
  }
}
