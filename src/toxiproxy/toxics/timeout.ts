// timeout: drops every chunk in its direction. timeout > 0 closes the connection once no chunk
// has arrived for `timeout` ms (each chunk re-arms it); 0 never closes. Removing the toxic
// closes the connection (Toxiproxy's Cleanup), including through /reset.
import { END, type Item, type StageContext, type ToxicDefinition } from './types';
import { TimedRunner } from './timed-runner';

class TimeoutRunner extends TimedRunner {
  private lastChunkAt: number;

  constructor(
    private readonly ctx: StageContext,
    private readonly timeoutMs: number,
  ) {
    super();
    this.lastChunkAt = ctx.now();
    if (timeoutMs > 0) this.arm();
  }

  // One deadline, moved lazily: re-arming on every chunk would churn timers under load.
  private arm(): void {
    this.deadline = this.ctx.at(this.lastChunkAt + this.timeoutMs, () => {
      this.deadline = null;
      if (this.ctx.now() + 1 >= this.lastChunkAt + this.timeoutMs) this.ctx.close();
      else this.arm();
    });
  }

  push(item: Item): void {
    if (item === END) {
      this.dispose();
      this.ctx.close();
      return;
    }
    this.lastChunkAt = this.ctx.now();
  }

  interrupt(): Item[] {
    this.dispose();
    return [];
  }
}

export const timeout: ToxicDefinition = {
  type: 'timeout',
  goStruct: 'TimeoutToxic',
  attributes: [{ name: 'timeout', goType: 'int64' }],
  closesOnRemove: true,
  run: (ctx, attrs) => new TimeoutRunner(ctx, attrs.timeout ?? 0),
};
