// noop: passes every chunk through unchanged (also what a stage runs when its toxicity draw misses).
import { END, type Item, type StageContext, type ToxicDefinition, type ToxicRunner } from './types';

class NoopRunner implements ToxicRunner {
  constructor(private readonly ctx: StageContext) {}
  push(item: Item): void {
    if (item === END) this.ctx.close();
    else this.ctx.emit(item);
  }
  interrupt(): Item[] {
    return [];
  }
  saturated(): boolean {
    return false;
  }
  dispose(): void {}
}

export const noop: ToxicDefinition = {
  type: 'noop',
  goStruct: 'NoopToxic',
  attributes: [],
  run: (ctx) => new NoopRunner(ctx),
};
