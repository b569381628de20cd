// One direction of one proxied connection: source socket → chain of toxic stages → destination
// socket. Data moves as chunks (one socket read each, at most 32 KiB). With no toxic running
// the link is plain piping (no timers, no copies); otherwise each chunk walks the stages.
// Backpressure: the source is paused while the destination's buffer is full or a toxic holds
// as much as Toxiproxy's channels would.
import type { Socket } from 'node:net';
import { clockMs, scheduleAt } from './deadline-timer';
import { closeSocket, markResetOnClose } from './socket-close';
import { END, type Attributes, type Chunk, type Item, type StageContext, type ToxicDefinition, type ToxicRunner } from './toxics';

export type Direction = 'upstream' | 'downstream';

/** What a link needs to know about a toxic (shared with the collection; mutated on update). */
export interface LinkToxic {
  toxicity: number;
  attributes: Attributes;
  definition: ToxicDefinition;
}

/** Toxiproxy reads with a 32 KiB buffer; toxics that act per chunk see chunks of that size. */
const MAX_CHUNK_BYTES = 32 * 1024;

class Stage {
  runner: ToxicRunner | null = null;
  revoke: (() => void) | null = null;
  closed = false;
  constructor(
    readonly toxic: LinkToxic,
    readonly state: unknown,
    public index: number,
  ) {}
}

export class Link {
  private stages: Stage[] = [];
  /** stages running their toxic (the rest pass data straight through) */
  private running = 0;
  /** a stage closed its output: data arriving before it is dropped from now on */
  private cut = false;
  private finished = false;
  private sourceEnded = false;
  private paused = false;

  constructor(
    readonly direction: Direction,
    private readonly source: Socket,
    private readonly dest: Socket,
    toxics: readonly LinkToxic[],
    private readonly onFinish: (link: Link) => void,
  ) {
    for (const toxic of toxics) {
      this.stages.push(new Stage(toxic, toxic.definition.newState?.(), this.stages.length));
      // Linger 0 whatever the toxicity draw: Toxiproxy sets it from the chain, not the draw.
      if (toxic.definition.resetsPeer) {
        markResetOnClose(source);
        markResetOnClose(dest);
      }
    }
    for (const stage of this.stages) this.startRunner(stage);
    source.on('data', this.onData);
    source.on('end', this.onSourceEnd);
    source.on('error', this.onSourceEnd);
    source.on('close', this.onSourceEnd);
    dest.on('drain', this.onDrain);
  }

  /** true once the destination got the end of stream (or died) */
  get isFinished(): boolean {
    return this.finished;
  }

  // ---- data path -------------------------------------------------------------------------

  private readonly onData = (buf: Buffer): void => {
    if (this.finished) return;
    if (this.running === 0 && !this.cut) {
      if (!this.dest.write(buf)) this.updateFlow();
      return;
    }
    const ts = clockMs();
    if (buf.length <= MAX_CHUNK_BYTES) this.deliver(0, { data: buf, ts });
    else {
      for (let off = 0; off < buf.length; off += MAX_CHUNK_BYTES) {
        this.deliver(0, { data: buf.subarray(off, off + MAX_CHUNK_BYTES), ts });
      }
    }
    this.updateFlow();
  };

  private readonly onSourceEnd = (): void => {
    if (this.sourceEnded) return;
    this.sourceEnded = true;
    if (!this.finished) this.deliver(0, END);
  };

  private readonly onDrain = (): void => this.updateFlow();

  /** Hands an item to stage `from` or, past the last stage, to the destination. */
  private deliver(from: number, item: Item): void {
    for (let i = from; i < this.stages.length; i++) {
      const stage = this.stages[i];
      if (stage.closed) return; // a closed stage reads nothing more
      if (stage.runner) {
        stage.runner.push(item);
        return;
      }
    }
    this.output(item);
  }

  private output(item: Item): void {
    if (this.finished) return;
    if (item === END || this.dest.destroyed) {
      this.finish();
      return;
    }
    this.dest.write((item as Chunk).data);
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.disposeRunners();
    closeSocket(this.dest);
    this.onFinish(this);
  }

  private updateFlow(): void {
    if (this.finished || this.sourceEnded) return;
    let blocked = this.dest.writableNeedDrain;
    if (!blocked && this.running > 0) {
      for (const stage of this.stages) {
        if (stage.runner?.saturated()) {
          blocked = true;
          break;
        }
      }
    }
    if (blocked !== this.paused) {
      this.paused = blocked;
      if (blocked) this.source.pause();
      else this.source.resume();
    }
  }

  // ---- stages ----------------------------------------------------------------------------

  private contextFor(stage: Stage): { ctx: StageContext; revoke: () => void } {
    let alive = true;
    const ctx: StageContext = {
      emit: (chunk) => {
        if (alive && !stage.closed) this.deliver(stage.index + 1, chunk);
      },
      close: () => {
        if (alive && !stage.closed) this.closeStage(stage);
      },
      at: scheduleAt,
      now: clockMs,
      flowChanged: () => {
        if (alive) this.updateFlow();
      },
    };
    return { ctx, revoke: () => (alive = false) };
  }

  /** Draws toxicity (per link, per (re)start, never per chunk) and starts the toxic or a passthrough. */
  private startRunner(stage: Stage): void {
    const { toxic } = stage;
    if (!(Math.random() < Math.fround(toxic.toxicity))) return;
    const { ctx, revoke } = this.contextFor(stage);
    stage.runner = toxic.definition.run(ctx, { ...toxic.attributes }, stage.state);
    stage.revoke = revoke;
    this.running++;
  }

  /** Interrupts a stage's runner; returns its unprocessed items, or null if it cannot stop. */
  private stopRunner(stage: Stage): Item[] | null {
    const runner = stage.runner;
    if (!runner) return [];
    const items = runner.interrupt();
    if (items === null) return null;
    runner.dispose();
    stage.revoke?.();
    stage.runner = null;
    stage.revoke = null;
    this.running--;
    return items;
  }

  private closeStage(stage: Stage): void {
    if (stage.runner) {
      stage.runner.dispose();
      stage.revoke?.();
      stage.runner = null;
      stage.revoke = null;
      this.running--;
    }
    stage.closed = true;
    this.cut = true;
    this.deliver(stage.index + 1, END);
  }

  /** Restarts a stage with its current attributes and a fresh toxicity draw. */
  private restart(stage: Stage): void {
    if (stage.closed || this.finished) return;
    const items = this.stopRunner(stage);
    if (items === null) return;
    this.startRunner(stage);
    for (const item of items) this.deliver(stage.index, item);
  }

  private stageOf(toxic: LinkToxic): Stage | undefined {
    return this.stages.find((s) => s.toxic === toxic);
  }

  /** A toxic was added to this direction: it applies to this open link from now on. */
  addToxic(toxic: LinkToxic): void {
    if (this.finished) return;
    const stage = new Stage(toxic, toxic.definition.newState?.(), this.stages.length);
    this.stages.push(stage);
    this.startRunner(stage);
    // Toxiproxy restarts the previous last stage to re-wire it, which re-draws its toxicity.
    if (this.stages.length >= 2) this.restart(this.stages[this.stages.length - 2]);
    this.updateFlow();
  }

  /** A toxic's attributes or toxicity changed: restart it (held chunks carry over). */
  updateToxic(toxic: LinkToxic): void {
    const stage = this.stageOf(toxic);
    if (stage) this.restart(stage);
    this.updateFlow();
  }

  /** A toxic was removed: what it held is flushed onward, not dropped (timeout closes instead). */
  removeToxic(toxic: LinkToxic): void {
    const stage = this.stageOf(toxic);
    if (!stage || stage.closed || this.finished) return;
    const items = this.stopRunner(stage);
    if (items === null) return;
    if (toxic.definition.closesOnRemove) {
      this.closeStage(stage);
      return;
    }
    this.stages.splice(stage.index, 1);
    this.stages.forEach((s, i) => (s.index = i));
    for (const item of items) this.deliver(stage.index, item);
    if (stage.index > 0) this.restart(this.stages[stage.index - 1]);
    this.updateFlow();
  }

  private disposeRunners(): void {
    for (const stage of this.stages) {
      stage.runner?.dispose();
      stage.revoke?.();
      stage.runner = null;
      stage.revoke = null;
    }
    this.running = 0;
  }

  /** The connection is gone: stop every timer. */
  dispose(): void {
    if (this.finished) return;
    this.finished = true;
    this.disposeRunners();
    this.onFinish(this);
  }
}
