// The one interface every runtime implements (DESIGN.md principle 4): local child
// processes, Docker containers through testcontainers, or an external system. Scenarios
// never see which one they run on.
import type { ClusterSpec } from '../contracts/scenario';

export interface ClusterNode {
  id: string;                  // node-1 … node-N
  clientUrl: string;           // ws:// URL clients use: ALWAYS through the `clients:ID` proxy
  directUrl?: string;          // ws:// URL of the node itself (diagnostics only; never used for load)
  /** external: the host[:port] clientUrl stands for (TLS name and Host header; clientUrl is the proxy) */
  origin?: string;
}

export interface ClusterProxies {
  /** Toxiproxy API base URL (embedded server or a real Toxiproxy), e.g. http://127.0.0.1:8474 */
  apiUrl: string;
  /**
   * Proxy name → API base URL, for proxies NOT served by `apiUrl` (a big local run splits its
   * client proxies over several proxy processes to stay under the open-files limit).
   */
  apiUrls?: Record<string, string>;
  /** proxy name per node for client traffic: `clients:ID` target → proxy name */
  clients: Record<string, string>;
  /** proxy name per ordered pair "A>B": the proxy node A uses to reach node B */
  links: Record<string, string>;
}

export interface Cluster {
  readonly runtime: 'local' | 'docker' | 'external';
  readonly nodes: ClusterNode[];
  readonly proxies: ClusterProxies;
  /** Process faults. External runtime: throws a UserError (not supported). */
  kill(nodeId: string): Promise<void>;        // SIGKILL / docker kill
  pause(nodeId: string): Promise<void>;       // SIGSTOP / docker pause
  resume(nodeId: string): Promise<void>;      // SIGCONT / docker unpause
  restart(nodeId: string): Promise<void>;     // start a killed node again (same data dir / volume; its proxies stay where they are)
  /**
   * Whether the system has healed (every node running, every node-to-node link up). The drain
   * does not end before it; runtimes that cannot tell leave it out.
   */
  settled?(): boolean;
  /** Stops everything this runtime started. Idempotent; never throws. */
  stop(): Promise<void>;
}

export interface StartOptions {
  runDir: string;              // reports/<run-id>/: logs and data dirs go below it
  log?: (line: string) => void;
  signal?: AbortSignal;        // aborted on Ctrl-C: start() must clean up and reject
  expectedClients?: number;    // clients the run will connect (sizes the local fault proxy)
}

export type StartCluster = (spec: ClusterSpec, opts: StartOptions) => Promise<Cluster>;

/** Starts a cluster; if starting fails part way, stops what did start, then rethrows. */
export async function startOrStop<C extends { start(): Promise<void>; stop(): Promise<void> }>(cluster: C): Promise<C> {
  try {
    await cluster.start();
    return cluster;
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}
