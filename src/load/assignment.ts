// Who connects where, subscribes to what and publishes where: a pure function of the
// scenario and its seed, so the same seed gives the same run plan.
import type { ClientsSpec } from '../contracts/scenario';
import { randomInt, seededRandom } from './random';

export interface ClientPlan {
  id: string;
  node: number;               // index into the cluster's nodes
  channels: string[];         // channels it subscribes to
  publishChannel: string | null;
  startOffsetMs: number;      // when it connects, relative to the start of the ramp
}

export const channelName = (runTag: string, k: number): string => `${runTag}.ch${k}`;

export function planClients(spec: ClientsSpec, nodeCount: number, seed: number, runTag: string): ClientPlan[] {
  const random = seededRandom(seed);
  const plans: ClientPlan[] = [];
  for (let i = 0; i < spec.count; i++) {
    const picks = new Set<number>();
    // Publishers subscribe to the channel they publish on, so every published channel has readers.
    const publishK = i < spec.publishers ? i % spec.channels : -1;
    if (publishK >= 0 && spec.subscriptionsPerClient > 0) picks.add(publishK);
    while (picks.size < spec.subscriptionsPerClient) picks.add(randomInt(random, spec.channels));
    plans.push({
      id: `c${i}`,
      node: i % nodeCount,
      channels: [...picks].sort((a, b) => a - b).map((k) => channelName(runTag, k)),
      publishChannel: publishK >= 0 ? channelName(runTag, publishK) : null,
      startOffsetMs: spec.count > 1 ? (spec.rampUpMs * i) / spec.count : 0,
    });
  }
  return plans;
}
