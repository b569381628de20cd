// Whether a local reference cluster has healed: every running node up (not paused) and every
// link between running nodes connected, as the nodes report it on stderr (link-up, link-down,
// link-timeout JSON lines). The drain must not end while a mirror whose link is still
// reconnecting with backoff holds messages that would arrive: they are not lost yet.
export class LinkHealth {
  private readonly up = new Map<string, boolean>(); // "A>B" → A's link to B is connected
  private readonly running = new Set<string>();

  constructor(private readonly nodeIds: readonly string[]) {}

  /** One stderr line of node `id`. */
  line(id: string, text: string): void {
    if (!text.startsWith('{')) return;
    let ev: { event?: unknown; peer?: unknown };
    try {
      ev = JSON.parse(text) as typeof ev;
    } catch {
      return;
    }
    if (typeof ev.peer !== 'string') return;
    if (ev.event === 'link-up') this.up.set(`${id}>${ev.peer}`, true);
    else if (ev.event === 'link-down' || ev.event === 'link-timeout') this.up.set(`${id}>${ev.peer}`, false);
  }

  /** The node is running (started, resumed) or not (killed, paused): its links count only while it runs. */
  setRunning(id: string, running: boolean): void {
    if (running) this.running.add(id);
    else this.running.delete(id);
    // a restarted process starts with no links; a paused one keeps its sockets but cannot serve
    if (!running) for (const key of this.up.keys()) if (key.startsWith(`${id}>`)) this.up.set(key, false);
  }

  /** Every node running and linked to every other (a node links lazily: only links it reported count as needed once seen). */
  settled(): boolean {
    if (this.running.size < this.nodeIds.length) return false;
    for (const state of this.up.values()) if (!state) return false;
    return true;
  }
}
