// Deliberate misbehaviour, so that a checker can be shown to catch each kind of broken
// guarantee (DESIGN.md principle 5). Only traffic towards client connections is affected;
// node-to-node links stay correct so that a fault shows up exactly once, where it was injected.
import type { EncodedFrame } from './channel-log';
import { corruptFrame } from './corrupt-payload';
import type { Corruption } from './corrupt-payload';
import { stableHash } from './rendezvous';

/** The modes, one list: flags, scenarios (cluster.misbehaviour) and docs all read it. */
export const MISBEHAVIOUR_MODES = [
  'drop', 'dup', 'reorder', 'no-resume', 'no-dedupe', 'amnesia',
  'split-serials', 'black-hole', 'corrupt', 'replay-before-subd',
] as const;
export type MisbehaviourMode = (typeof MISBEHAVIOUR_MODES)[number];
export interface BrokerMisbehaviour { mode: MisbehaviourMode; rate: number }

/** What the fault layer needs from one subscription: somewhere to park a held delivery. */
export interface ReorderSlot {
  held: EncodedFrame | null;
  heldTimer: NodeJS.Timeout | null;
}

// A held delivery that no later one overtakes is sent after this long, so that reorder
// only reorders and never silently turns into loss.
const HOLD_LIMIT_MS = 500;

export class MisbehaviourInjector {
  private nextCorruption: Corruption = 'padding';

  constructor(private readonly spec: BrokerMisbehaviour | undefined, private readonly random: () => number = Math.random) {}

  get mode(): string { return this.spec?.mode ?? 'none'; }

  /** Whether deliver() may do anything but send: the hot fan-out path skips it otherwise. */
  get affectsDelivery(): boolean {
    const mode = this.spec?.mode;
    return mode === 'drop' || mode === 'dup' || mode === 'reorder' || mode === 'corrupt';
  }

  private roll(): boolean { return this.spec !== undefined && this.random() < this.spec.rate; }

  /** Sends one msg delivery to a client subscription, possibly dropped, doubled or swapped. */
  deliver(slot: ReorderSlot, frame: EncodedFrame, send: (frame: EncodedFrame) => void): void {
    switch (this.spec?.mode) {
      case 'drop':
        if (!this.roll()) send(frame);
        return;
      case 'dup':
        send(frame);
        if (this.roll()) send(frame);
        return;
      case 'reorder':
        if (slot.held) {
          const held = slot.held;
          this.release(slot);
          send(frame);
          send(held);
        } else if (this.roll()) {
          slot.held = frame;
          slot.heldTimer = setTimeout(() => {
            const late = slot.held;
            this.release(slot);
            if (late) send(late);
          }, HOLD_LIMIT_MS);
          slot.heldTimer.unref();
        } else {
          send(frame);
        }
        return;
      case 'corrupt':
        if (!this.roll()) return send(frame);
        send(corruptFrame(frame, this.nextCorruption));
        this.nextCorruption = this.nextCorruption === 'padding' ? 'ts' : 'padding'; // both kinds, alternating
        return;
      default:
        send(frame);
    }
  }

  /** Forgets a held delivery (the subscription ended). */
  release(slot: ReorderSlot): void {
    if (slot.heldTimer) clearTimeout(slot.heldTimer);
    slot.held = null;
    slot.heldTimer = null;
  }

  /** no-resume: a client's `from` is ignored. */
  get ignoresFrom(): boolean { return this.spec?.mode === 'no-resume'; }
  /** no-dedupe: a known idempotency key is stored again. */
  get storesDuplicates(): boolean { return this.spec?.mode === 'no-dedupe'; }
  /** no-dedupe: some acks to clients are withheld so that clients retry on their own. */
  withholdAck(): boolean { return this.spec?.mode === 'no-dedupe' && this.roll(); }
  /** amnesia: the data dir is ignored, so a restart forgets everything. */
  get forgets(): boolean { return this.spec?.mode === 'amnesia'; }
  /** split-serials: every node sequences every channel for its own clients (rate is ignored). */
  get splitsSerials(): boolean { return this.spec?.mode === 'split-serials'; }
  /**
   * black-hole: this client publish is neither stored nor acked. Decided by key, so that the
   * publisher's retries vanish too: a fraction `rate` of messages is never acked at all.
   */
  swallows(id: string): boolean {
    return this.spec?.mode === 'black-hole' && stableHash(id) / 2 ** 32 < this.spec.rate;
  }
  /** replay-before-subd: a resume's replay is sent before its subd (rate is ignored: every resume). */
  get replaysBeforeSubd(): boolean { return this.spec?.mode === 'replay-before-subd'; }
}
