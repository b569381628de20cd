// reset_peer: the first chunk (or the end of stream) is dropped, then after `timeout` ms the
// connection closes. Links that started while this toxic existed close with RST (linger 0),
// whatever the toxicity draw; on links that were already open the close is a normal FIN.
import type { Item, StageContext, ToxicDefinition } from './types';
import { TimedRunner } from './timed-runner';

class ResetPeerRunner extends TimedRunner {
  private triggered = false;

  constructor(
    private readonly ctx: StageContext,
    private readonly timeoutMs: number,
  ) {
    super();
  }

  push(): void {
    if (this.triggered) return;
    this.triggered = true;
    this.deadline = this.ctx.at(this.ctx.now() + this.timeoutMs, () => {
      this.deadline = null;
      this.ctx.close();
    });
    this.ctx.flowChanged();
  }

  interrupt(): Item[] | null {
    // Toxiproxy's wait before the reset cannot be interrupted: the reset happens anyway.
    return this.triggered ? null : [];
  }

  override saturated(): boolean {
    return this.triggered;
  }
}

export const resetPeer: ToxicDefinition = {
  type: 'reset_peer',
  goStruct: 'ResetToxic',
  attributes: [{ name: 'timeout', goType: 'int64' }],
  resetsPeer: true,
  run: (ctx, attrs) => new ResetPeerRunner(ctx, attrs.timeout ?? 0),
};
