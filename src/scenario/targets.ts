// Fault targets as written in a scenario ("clients:node-2", "link:node-1>node-3", "links:*",
// "node:node-2" or just "node-2") and back to text for labels.
import { Problem } from './problem';
import type { FaultTarget } from '../contracts/scenario';

const FORMS = 'clients:NODE, clients:*, link:A>B, links:*, node:NODE';

/** Parses a target text; node ids are checked against `nodes` (wildcards '*' kept as is). */
export function parseTarget(text: unknown, nodes: readonly string[]): FaultTarget {
  if (typeof text !== 'string') throw new Problem(`${JSON.stringify(text)} is not a target`, `write one of ${FORMS}`);
  const t = text.trim();
  const colon = t.indexOf(':');
  if (colon < 0 && !nodes.includes(t)) {
    throw new Problem(`${JSON.stringify(text)} is not a target`, `write one of ${FORMS} (nodes are ${describeNodes(nodes)})`);
  }
  const kind = colon < 0 ? 'node' : t.slice(0, colon);
  const rest = colon < 0 ? t : t.slice(colon + 1);
  const node = (id: string, allowAll: boolean): string => {
    if (id === '*' && allowAll) return id;
    if (!nodes.includes(id)) {
      const hint = id === '*' ? 'a process fault needs one node' : `nodes are ${describeNodes(nodes)}`;
      throw new Problem(`${JSON.stringify(text)}: there is no node "${id}"`, hint);
    }
    return id;
  };
  switch (kind) {
    case 'clients':
      return { kind: 'clients', node: node(rest, true) };
    case 'node':
      return { kind: 'node', node: node(rest, false) };
    case 'links':
      if (rest !== '*') throw new Problem(`${JSON.stringify(text)} is not a target`, 'write "links:*" for every link or "link:A>B" for one');
      return { kind: 'link', from: '*', to: '*' };
    case 'link': {
      const parts = rest.split('>');
      if (parts.length !== 2) throw new Problem(`${JSON.stringify(text)} is not a link`, 'write it like "link:node-1>node-3" (node-1\'s link to node-3)');
      const [from, to] = [node(parts[0], true), node(parts[1], true)];
      if (from === to && from !== '*') throw new Problem(`${JSON.stringify(text)} links a node to itself`, 'name two different nodes');
      return { kind: 'link', from, to };
    }
    default:
      throw new Problem(`${JSON.stringify(text)} is not a target`, `write one of ${FORMS}`);
  }
}

/** The canonical text of a target: clients:node-2, link:node-1>node-3, links:*, node:node-2. */
export function formatTarget(target: FaultTarget): string {
  switch (target.kind) {
    case 'clients': return `clients:${target.node}`;
    case 'node': return `node:${target.node}`;
    case 'link': return target.from === '*' && target.to === '*' ? 'links:*' : `link:${target.from}>${target.to}`;
  }
}

export const describeNodes = (nodes: readonly string[]): string =>
  nodes.length <= 3 ? nodes.join(', ') : `${nodes[0]} … ${nodes[nodes.length - 1]}`;
