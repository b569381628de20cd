// Deliberate misbehaviour, so that a checker can be shown to catch each kind of broken
// guarantee (DESIGN.md principle 5). Only traffic towards client connections is affected;
// node-to-node links stay correct so that a fault shows up exactly once, where it was injected.
import type { EncodedFrame } from './channel-log';

/** The modes, one list: flags, scenarios (cluster.misbehaviour) and docs all read it. */
export const MISBEHAVIOUR_MODES = ['drop', 'dup', 'reorder', 'no-resume', 'no-dedupe', 'amnesia'] as const;
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
  constructor(private readonly spec: BrokerMisbehaviour | undefined, private readonly random: () => number = Math.random) {}

  get mode(): string { return this.spec?.mode ?? 'none'; }

  /** Whether deliver() may do anything but send: the hot fan-out path skips it otherwise. */
  get affectsDelivery(): boolean {
    const mode = this.spec?.mode;
    return mode === 'drop' || mode === 'dup' || mode === 'reorder';
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
}
