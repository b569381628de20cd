// Resolves a scenario fault target to the proxies it means. `clients:*` and `links:*`
// expand to every client proxy or every node-to-node link.
import { usageError } from '../util/errors';
import type { ClusterProxies } from '../runtime/cluster';
import type { FaultTarget } from '../contracts/scenario';
import { formatTarget } from '../scenario/targets';

export function proxiesOf(t: FaultTarget, proxies: ClusterProxies): string[] {
  let names: string[];
  if (t.kind === 'clients') {
    names = t.node === '*' ? Object.values(proxies.clients) : [proxies.clients[t.node]].filter(Boolean);
  } else if (t.kind === 'link') {
    names = Object.entries(proxies.links)
      .filter(([pair]) => {
        const [from, to] = pair.split('>');
        return (t.from === '*' || t.from === from) && (t.to === '*' || t.to === to);
      })
      .map(([, name]) => name);
  } else {
    throw usageError(`target ${formatTarget(t)} is a process, not a connection`, 'use action kill, pause or restart on node targets');
  }
  if (names.length === 0) {
    throw usageError(`fault target ${formatTarget(t)} matches no proxy of this cluster`,
      t.kind === 'link' ? 'a single-node or external cluster has no node-to-node links' : 'check the node id');
  }
  return names;
}

/** The links that cut `group` off from the other nodes, both directions. */
export function partitionLinks(group: string[], proxies: ClusterProxies): string[] {
  const inside = new Set(group);
  return Object.entries(proxies.links)
    .filter(([pair]) => {
      const [from, to] = pair.split('>');
      return inside.has(from) !== inside.has(to);
    })
    .map(([, name]) => name);
}
