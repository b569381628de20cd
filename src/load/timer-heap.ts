// One timer for thousands of clients: a min-heap of due times, drained by a single interval.
// Avoids a setTimeout per message or per reconnect (event-loop stalls at scale).
import { MinHeap } from '../util/min-heap';

export interface Timed {
  /** Called when due. `kind` says which of the owner's timers fired. */
  onTimer(kind: number, nowMs: number): void;
}

interface Entry { at: number; owner: Timed; kind: number; seq: number }

const before = (a: Entry, b: Entry): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);

export class Scheduler {
  private heap = new MinHeap<Entry>(before);
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly now: () => number, private readonly tickMs = 2) {}

  /** Runs `owner.onTimer(kind)` at (or just after) time `at` (same clock as `now`). */
  at(at: number, owner: Timed, kind: number): void {
    this.heap.push({ at, owner, kind, seq: this.seq++ });
  }

  get size(): number { return this.heap.size; }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.runDue(), this.tickMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.heap.clear();
  }

  /** Fires every entry that is due now; entries added while running wait for the next tick if not due. */
  runDue(): void {
    const now = this.now();
    const heap = this.heap;
    for (let top = heap.peek(); top !== undefined && top.at <= now; top = heap.peek()) {
      heap.pop();
      top.owner.onTimer(top.kind, now);
    }
  }
}
