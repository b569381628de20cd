// Which node is a channel's home: rendezvous (highest-random-weight) hashing over the node ids.
// Every node computes the same answer from the same membership, with no coordination, and a
// channel only moves when its own home leaves the membership.

/** FNV-1a over UTF-16 code units, then murmur3's finalizer so that similar inputs spread well. */
export function stableHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function homeOf(channel: string, nodeIds: readonly string[]): string {
  let best = '';
  let bestWeight = -1;
  for (const id of nodeIds) {
    const w = stableHash(`${id}\u0000${channel}`);
    // Ties are broken by id so that every node agrees even on a collision.
    if (w > bestWeight || (w === bestWeight && id > best)) {
      best = id;
      bestWeight = w;
    }
  }
  return best;
}

/** Memoises homeOf for a fixed membership: it is asked on every publish and subscribe. */
export class HomeTable {
  private readonly cache = new Map<string, string>();
  constructor(readonly nodeIds: readonly string[]) {}
  homeOf(channel: string): string {
    let home = this.cache.get(channel);
    if (home === undefined) {
      home = homeOf(channel, this.nodeIds);
      if (this.cache.size > 100_000) this.cache.clear(); // bound memory against channel-name floods
      this.cache.set(channel, home);
    }
    return home;
  }
}
