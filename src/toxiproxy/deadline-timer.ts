// One process-wide timer for every toxic deadline. Under load a latency toxic releases
// thousands of chunks a second; a min-heap behind a single Node timer costs a heap push per
// deadline instead of a Timeout object per chunk, and fires every due entry in one pass.
import { MinHeap } from '../util/min-heap';

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

const heap = new MinHeap<Entry>((a, b) => a.at < b.at || (a.at === b.at && a.seq < b.seq));
let seq = 0;
let timer: NodeJS.Timeout | null = null;
let timerAt = Infinity;
/** true while due entries run: deadlines they add are picked up by the same pass or its arm() */
let firing = false;

function arm(): void {
  while (heap.size > 0 && heap.peek()!.cancelled) heap.pop();
  if (heap.size === 0) {
    if (timer) clearTimeout(timer);
    timer = null;
    timerAt = Infinity;
    return;
  }
  const at = heap.peek()!.at;
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
  while (heap.size > 0 && heap.peek()!.at <= due) {
    const entry = heap.pop()!;
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
  heap.push(entry);
  if (!firing && atMs < timerAt) arm();
  return entry;
}

/** Number of live deadlines (tests use it to prove nothing leaks). */
export function pendingDeadlines(): number {
  return heap.values().filter((e) => !e.cancelled).length;
}
