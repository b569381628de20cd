// limit_data: lets `bytes` bytes through per link (the count survives updates), cuts the chunk
// that crosses the limit, then closes the connection. 0 closes on the first chunk.
import { END, type Item, type StageContext, type ToxicDefinition, type ToxicRunner } from './types';

interface LimitState {
  transmitted: number;
}

class LimitDataRunner implements ToxicRunner {
  constructor(
    private readonly ctx: StageContext,
    private readonly limit: number,
    private readonly state: LimitState,
  ) {}

  push(item: Item): void {
    if (item === END) {
      this.ctx.close();
      return;
    }
    const remaining = Math.max(0, this.limit - this.state.transmitted);
    const data = item.data.length > remaining ? item.data.subarray(0, remaining) : item.data;
    if (data.length > 0) {
      this.ctx.emit({ data, ts: item.ts });
      this.state.transmitted += data.length;
    }
    if (this.limit - this.state.transmitted <= 0) this.ctx.close();
  }

  interrupt(): Item[] {
    return [];
  }

  saturated(): boolean {
    return false;
  }

  dispose(): void {}
}

export const limitData: ToxicDefinition = {
  type: 'limit_data',
  goStruct: 'LimitDataToxic',
  attributes: [{ name: 'bytes', goType: 'int64' }],
  newState: (): LimitState => ({ transmitted: 0 }),
  run: (ctx, attrs, state) => new LimitDataRunner(ctx, attrs.bytes ?? 0, state as LimitState),
};
