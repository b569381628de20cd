// The one interface every toxic implements. A link is a chain of stages; a stage runs one
// toxic (or passes data through when its toxicity draw missed). Data moves as chunks, one
// socket read each, and END marks the end of the stream (Toxiproxy's nil chunk).
import type { Deadline } from '../deadline-timer';

export interface Chunk {
  data: Buffer;
  /** when the chunk was read (clockMs()); latency counts from here */
  ts: number;
}

export const END = Symbol('end-of-stream');
export type Item = Chunk | typeof END;

/** What a running toxic may do to the link it sits in. */
export interface StageContext {
  /** Pass a chunk to the next stage (or the destination socket). */
  emit(chunk: Chunk): void;
  /** Close this stage's output: later stages see END after everything already emitted. */
  close(): void;
  /** Run fn at an absolute clockMs() time. */
  at(timeMs: number, fn: () => void): Deadline;
  now(): number;
  /** This stage's saturated() answer may have changed (the link re-checks backpressure). */
  flowChanged(): void;
}

export interface ToxicRunner {
  /** A chunk or END arrived from the previous stage. */
  push(item: Item): void;
  /**
   * Stop (update, removal, toxicity re-draw): cancel timers, emit what Toxiproxy emits when
   * interrupted (the chunk in hand), and return the items not processed yet, in order, so
   * the next runner (or the next stage) gets them. null = cannot be interrupted; the stage
   * keeps running as it is.
   */
  interrupt(): Item[] | null;
  /** true while the toxic holds as much as Toxiproxy's channel would: the source is paused. */
  saturated(): boolean;
  /** The link is gone: cancel timers, drop everything. */
  dispose(): void;
}

/** Toxic attributes: all integers, missing ones are 0 (Toxiproxy's zeroed Go struct). */
export type Attributes = Record<string, number>;

export interface AttributeSpec {
  name: string;
  /** Go type, named in decode errors: int64 or int */
  goType: 'int64' | 'int';
}

export interface ToxicDefinition {
  /** the API's `type` */
  readonly type: string;
  /** Go struct name, for Toxiproxy-identical decode errors (e.g. LatencyToxic) */
  readonly goStruct: string;
  /** attributes in Toxiproxy's JSON order */
  readonly attributes: readonly AttributeSpec[];
  /** per-link state kept across updates and re-draws (limit_data's byte count) */
  newState?(): unknown;
  /** closes connections with RST: linger 0 on links that start while this toxic exists */
  readonly resetsPeer?: boolean;
  /** removing the toxic closes the link instead of flushing it (timeout) */
  readonly closesOnRemove?: boolean;
  run(ctx: StageContext, attrs: Readonly<Attributes>, state: unknown): ToxicRunner;
}

/** A FIFO with O(1) shift, for toxics that hold many chunks. */
export class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  push(item: T): void {
    this.items.push(item);
  }
  peek(): T | undefined {
    return this.items[this.head];
  }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined; // release the reference
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
  /** Empties the queue and returns what it held, oldest first. */
  drain(): T[] {
    const rest = this.items.slice(this.head) as T[];
    this.items = [];
    this.head = 0;
    return rest;
  }
}

/** Integer in [0, n), like Go's rand.Intn. */
export const randomInt = (n: number): number => Math.floor(Math.random() * n);
