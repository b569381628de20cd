// Process faults go through the runtime, never through the broker: SIGKILL/SIGSTOP locally,
// docker kill/pause in containers.
import type { Cluster } from '../runtime/cluster';
import type { Fault } from './fault';

export class KillFault implements Fault {
  constructor(readonly label: string, readonly target: string, private readonly cluster: Cluster, private readonly node: string) {}
  begin(): Promise<void> { return this.cluster.kill(this.node); }
  /** Ending a kill is bringing the node back (same proxies, same durable log). */
  end(): Promise<void> { return this.cluster.restart(this.node); }
}

export class PauseFault implements Fault {
  constructor(readonly label: string, readonly target: string, private readonly cluster: Cluster, private readonly node: string) {}
  begin(): Promise<void> { return this.cluster.pause(this.node); }
  end(): Promise<void> { return this.cluster.resume(this.node); }
}
