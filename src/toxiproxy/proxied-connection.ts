// One proxied TCP connection: the accepted client socket, the socket dialled to the upstream,
// and the two links between them (upstream = client→server, downstream = server→client).
import type { Socket } from 'node:net';
import { Link, type LinkToxic } from './link';
import { destroySocket } from './socket-close';

export interface LinkRegistry {
  /** the chain a new link starts with */
  chain(direction: 'upstream' | 'downstream'): readonly LinkToxic[];
  addLink(link: Link): void;
  removeLink(link: Link): void;
}

export class Connection {
  private readonly links: Link[];
  private openSockets = 2;

  constructor(
    private readonly client: Socket,
    private readonly upstream: Socket,
    private readonly registry: LinkRegistry,
    private readonly onClosed: (connection: Connection) => void,
  ) {
    const onLinkFinished = (link: Link) => registry.removeLink(link);
    this.links = [
      new Link('upstream', client, upstream, registry.chain('upstream'), onLinkFinished),
      new Link('downstream', upstream, client, registry.chain('downstream'), onLinkFinished),
    ];
    for (const link of this.links) registry.addLink(link);
    for (const socket of [client, upstream]) socket.once('close', this.onSocketClosed);
    client.resume(); // accepted paused (pauseOnConnect) until the upstream answered
  }

  private readonly onSocketClosed = (): void => {
    if (--this.openSockets > 0) return;
    // Both sockets gone: whatever a toxic still holds has nowhere to go.
    for (const link of this.links) link.dispose();
    this.onClosed(this);
  };

  /** Proxy disabled or deleted: close both sockets now (Toxiproxy's stop()). */
  destroy(): void {
    destroySocket(this.client);
    destroySocket(this.upstream);
  }
}
