// Names of the Toxiproxy proxies every runtime creates: one per node for client traffic and
// one per ordered node pair for the link node A uses to reach node B. The scenario's targets
// (clients:NODE, link:A>B) are these names, so a fault target IS a proxy name.
export const clientProxyName = (node: string): string => `clients:${node}`;
export const linkProxyName = (from: string, to: string): string => `link:${from}>${to}`;

export function proxyNamesFor(nodeIds: string[]): { clients: Record<string, string>; links: Record<string, string> } {
  const clients: Record<string, string> = {};
  const links: Record<string, string> = {};
  for (const a of nodeIds) {
    clients[a] = clientProxyName(a);
    for (const b of nodeIds) if (a !== b) links[`${a}>${b}`] = linkProxyName(a, b);
  }
  return { clients, links };
}
