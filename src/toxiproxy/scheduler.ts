// One process-wide timer for every toxic deadline. Under load a latency toxic releases
// thousands of chunks a second; a min-heap behind a single Node timer costs a heap push per
// deadline instead of a Timeout object per chunk, and fires every due entry in one pass.

export interface Deadline {
  cancel(): void;
}

interface Entry extends Deadline {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** The proxy's monotonic clock in milliseconds (fractional). Chunk timestamps use it too. */
export const clockMs = (): number => performance.now();

// Node timers fire on the loop's integer-millisecond clock, so a timer may wake a fraction of
// a millisecond before performance.now() reaches the deadline; entries that close count as due.
const EARLY_FIRE_TOLERANCE_MS = 1;

const heap: Entry[] = [];
let seq = 0;
let timer: NodeJS.Timeout | null = null;
let timerAt = Infinity;
/** true while due entries run: deadlines they add are picked up by the same pass or its arm() */
let firing = false;

function before(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

function push(entry: Entry): void {
  heap.push(entry);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!before(heap[i], heap[parent])) break;
    [heap[i], heap[parent]] = [heap[parent], heap[i]];
    i = parent;
  }
}

function pop(): Entry {
  const top = heap[0];
  const last = heap.pop()!;
  if (heap.length > 0) {
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && before(heap[l], heap[m])) m = l;
      if (r < heap.length && before(heap[r], heap[m])) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  }
  return top;
}

function arm(): void {
  while (heap.length > 0 && heap[0].cancelled) pop();
  if (heap.length === 0) {
    if (timer) clearTimeout(timer);
    timer = null;
    timerAt = Infinity;
    return;
  }
  const at = heap[0].at;
  if (timer && timerAt <= at) return;
  if (timer) clearTimeout(timer);
  timerAt = at;
  timer = setTimeout(fire, Math.max(0, Math.ceil(at - clockMs())));
  // Sockets keep the process alive while connections exist; toxic deadlines alone must not.
  timer.unref();
}

function fire(): void {
  timer = null;
  timerAt = Infinity;
  firing = true;
  const due = clockMs() + EARLY_FIRE_TOLERANCE_MS;
  while (heap.length > 0 && heap[0].at <= due) {
    const entry = pop();
    if (entry.cancelled) continue;
    entry.cancelled = true;
    try {
      entry.fn();
    } catch (err) {
      // A toxic bug must not take the whole proxy down; the link it belongs to simply stalls.
      process.emitWarning(`toxiproxy: toxic timer failed: ${(err as Error).message}`);
    }
  }
  firing = false;
  arm();
}

/** Runs fn once the clock reaches atMs (clockMs() time base). */
export function scheduleAt(atMs: number, fn: () => void): Deadline {
  const entry: Entry = {
    at: atMs,
    seq: seq++,
    fn,
    cancelled: false,
    cancel() {
      entry.cancelled = true;
    },
  };
  push(entry);
  if (!firing && atMs < timerAt) arm();
  return entry;
}

/** Number of live deadlines (tests use it to prove nothing leaks). */
export function pendingDeadlines(): number {
  return heap.filter((e) => !e.cancelled).length;
}
