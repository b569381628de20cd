// The tail every toxic that waits on a deadline shares: cancel the deadline and let go of what
// it holds when the link goes away, and report no backpressure unless it says otherwise.
import type { Deadline } from '../deadline-timer';
import type { Item, ToxicRunner } from './types';

export abstract class TimedRunner implements ToxicRunner {
  protected deadline: Deadline | null = null;

  abstract push(item: Item): void;
  abstract interrupt(): Item[] | null;

  saturated(): boolean {
    return false;
  }

  /** Cancels the pending deadline, if any. */
  protected cancelDeadline(): void {
    this.deadline?.cancel();
    this.deadline = null;
  }

  /** Drops whatever the toxic holds (called once the deadline is cancelled). */
  protected dropHeld(): void {}

  dispose(): void {
    this.cancelDeadline();
    this.dropHeld();
  }
}
