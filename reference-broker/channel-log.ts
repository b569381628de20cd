// A channel's history: the last N messages no older than T, with serials that have no gaps
// inside the window. Used by a channel's home (which assigns serials and remembers
// idempotency keys, in a window of their own: see key-window.ts) and by a non-home node's
// mirror of it.
import { KeyWindow } from './key-window';
import type { KeyLimits } from './key-window';

export interface LogEntry {
  s: number;
  id: string;
  at: number;          // ms since epoch when stored (home) or received (mirror); drives the age limit
  frame: EncodedFrame; // the encoded msg frame, made once and sent as-is to every subscriber
}

/** Bytes for live fan-out (no re-encoding per subscriber); text for messages recovered from disk. */
export type EncodedFrame = Buffer | string;

export interface HistoryLimits { count: number; maxAgeMs: number }

export class ChannelLog {
  private entries: LogEntry[] = [];
  private start = 0;                    // entries before this index were trimmed (lazy shift)
  /** Idempotency keys (homes only). They outlive history, so a late retry is still recognised. */
  readonly keys: KeyWindow | null;
  /** Serial of the newest message ever stored, even when history no longer holds it. */
  newest = 0;

  /** `keyLimits` null: no keys (a mirror). Keys always cover at least what history holds. */
  constructor(private readonly limits: HistoryLimits, keyLimits: KeyLimits | null, private readonly now: () => number = Date.now) {
    this.keys = keyLimits ? new KeyWindow({ count: Math.max(keyLimits.count, limits.count), maxAgeMs: keyLimits.maxAgeMs }, now) : null;
  }

  get size(): number { return this.entries.length - this.start; }

  /** Serial of the oldest message held; newest + 1 when history is empty. */
  get oldest(): number { return this.size > 0 ? this.entries[this.start].s : this.newest + 1; }

  serialOfKey(id: string): number | undefined { return this.keys?.serialOf(id); }

  /** Appends the next serial. Callers guarantee contiguity (serial === newest + 1). */
  append(entry: LogEntry): void {
    if (entry.s !== this.newest + 1) throw new Error(`channel log: serial ${entry.s} after ${this.newest}`);
    this.entries.push(entry);
    this.newest = entry.s;
    this.keys?.remember(entry.id, entry.s, entry.at);
    this.trim();
  }

  /** Forgets all history and continues after `serial` (a gap the log knows about). Keys stay: their serials did exist. */
  restartAt(serial: number): void {
    this.entries = [];
    this.start = 0;
    this.newest = serial;
  }

  /** Entries with serial > s, oldest first. */
  *after(s: number): Iterable<LogEntry> {
    const first = Math.max(this.start, this.start + (s + 1 - this.oldest));
    for (let i = first; i < this.entries.length; i++) yield this.entries[i];
  }

  /** Applies the count and age limits. Cheap when nothing is due: only the front is looked at. */
  trim(): void {
    const { count, maxAgeMs } = this.limits;
    const cutoff = this.now() - maxAgeMs;
    while (this.size > 0 && (this.size > count || this.entries[this.start].at < cutoff)) {
      this.start++;
    }
    if (this.start > 1024 && this.start * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.start);
      this.start = 0;
    }
  }
}
