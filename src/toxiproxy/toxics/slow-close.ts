// slow_close: data passes unchanged; when the stream ends, closing the destination waits `delay` ms.
import type { Deadline } from '../deadline-timer';
import { END, type Item, type StageContext, type ToxicDefinition } from './types';
import { TimedRunner } from './timed-runner';

class SlowCloseRunner extends TimedRunner {
  constructor(
    private readonly ctx: StageContext,
    private readonly delayMs: number,
  ) {
    super();
  }

  push(item: Item): void {
    if (this.deadline) return; // nothing follows END
    if (item !== END) {
      this.ctx.emit(item);
      return;
    }
    this.deadline = this.ctx.at(this.ctx.now() + this.delayMs, () => {
      this.deadline = null;
      this.ctx.close();
    });
  }

  interrupt(): Item[] {
    if (!this.deadline) return [];
    // Interrupted while waiting: the end is still pending, the next runner starts the wait again.
    this.cancelDeadline();
    return [END];
  }
}

export const slowClose: ToxicDefinition = {
  type: 'slow_close',
  goStruct: 'SlowCloseToxic',
  attributes: [{ name: 'delay', goType: 'int64' }],
  run: (ctx, attrs) => new SlowCloseRunner(ctx, attrs.delay ?? 0),
};
