// The toxic types the API accepts (Toxiproxy 2.x's built-ins; `down` is not a toxic).
import { bandwidth } from './bandwidth';
import { latency } from './latency';
import { limitData } from './limit-data';
import { noop } from './noop';
import { resetPeer } from './reset-peer';
import { slicer } from './slicer';
import { slowClose } from './slow-close';
import { timeout } from './timeout';
import type { ToxicDefinition } from './types';

export const toxicDefinitions: ReadonlyMap<string, ToxicDefinition> = new Map(
  [latency, bandwidth, slowClose, timeout, resetPeer, slicer, limitData, noop].map((d) => [d.type, d]),
);

export * from './types';
