// A channel home's idempotency keys, kept independently of its history: a retry that arrives
// after its message was trimmed (history 1, or a short history age and a long partition)
// must still be acked with the original serial, never stored again.
//
// Bound: a key is forgotten only once it is BOTH outside the last `count` keys AND older than
// `maxAgeMs` (whichever keeps more). Memory per channel is therefore at most
// max(count, keys stored in the last maxAgeMs).

export interface KeyLimits { count: number; maxAgeMs: number }

interface KeyEntry { id: string; s: number; at: number }

export class KeyWindow {
  private readonly serials = new Map<string, number>();
  // Arrival order in three parallel arrays: no object per key (recovery remembers millions).
  private ids: string[] = [];
  private ss: number[] = [];
  private ats: number[] = [];
  private start = 0; // entries before this index were forgotten (lazy shift)

  constructor(private readonly limits: KeyLimits, private readonly now: () => number = Date.now) {}

  get size(): number { return this.serials.size; }

  serialOf(id: string): number | undefined { return this.serials.get(id); }

  /** Records that key `id` was stored as serial `s` at `at` (ms since epoch). */
  remember(id: string, s: number, at: number): void {
    this.serials.set(id, s);
    this.ids.push(id);
    this.ss.push(s);
    this.ats.push(at);
    this.trim();
  }

  /** Keys still remembered, oldest first (compaction writes them back). */
  *entries(): Iterable<KeyEntry> {
    for (let i = this.start; i < this.ids.length; i++) {
      const id = this.ids[i];
      if (this.serials.get(id) === this.ss[i]) yield { id, s: this.ss[i], at: this.ats[i] };
    }
  }

  trim(): void {
    const { count, maxAgeMs } = this.limits;
    const cutoff = this.now() - maxAgeMs;
    while (this.ids.length - this.start > count && this.ats[this.start] < cutoff) {
      const i = this.start++;
      // A key stored again later (no-dedupe) belongs to that later entry.
      if (this.serials.get(this.ids[i]) === this.ss[i]) this.serials.delete(this.ids[i]);
    }
    if (this.start > 1024 && this.start * 2 > this.ids.length) {
      this.ids = this.ids.slice(this.start);
      this.ss = this.ss.slice(this.start);
      this.ats = this.ats.slice(this.start);
      this.start = 0;
    }
  }
}
