// One timer for thousands of clients: a binary min-heap of due times, drained by a single
// interval. Avoids a setTimeout per message or per reconnect (event-loop stalls at scale).

export interface Timed {
  /** Called when due. `kind` says which of the owner's timers fired. */
  onTimer(kind: number, nowMs: number): void;
}

interface Entry { at: number; owner: Timed; kind: number; seq: number }

export class Scheduler {
  private heap: Entry[] = [];
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly now: () => number, private readonly tickMs = 2) {}

  /** Runs `owner.onTimer(kind)` at (or just after) time `at` (same clock as `now`). */
  at(at: number, owner: Timed, kind: number): void {
    const heap = this.heap;
    heap.push({ at, owner, kind, seq: this.seq++ });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  get size(): number { return this.heap.length; }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.runDue(), this.tickMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.heap = [];
  }

  /** Fires every entry that is due now; entries added while running wait for the next tick if not due. */
  runDue(): void {
    const now = this.now();
    const heap = this.heap;
    while (heap.length > 0 && heap[0].at <= now) {
      const top = heap[0];
      const last = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = last;
        this.siftDown(0);
      }
      top.owner.onTimer(top.kind, now);
    }
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && before(heap[l], heap[m])) m = l;
      if (r < n && before(heap[r], heap[m])) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  }
}

const before = (a: Entry, b: Entry): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);
