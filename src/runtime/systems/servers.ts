// How to start each real system on a loopback port: its Debian package, its binary and its
// command line. Each server writes its data (if any) under the run's data dir.
import type { SystemKind } from '../../contracts/scenario';

export interface ServerRecipe {
  binary: string;
  debianPackage: string;
  urlScheme: string;
  /** the command line of the one server (systems started one per node have none) */
  args?(port: number, dataDir: string): string[];
}

export const SERVERS: Readonly<Record<Exclude<SystemKind, 'reference'>, ServerRecipe>> = {
  nats: {
    binary: 'nats-server', debianPackage: 'nats-server', urlScheme: 'nats',
    // no command line: every node gets a config file (nats-cluster.ts), clustered or not
  },
  redis: {
    binary: 'redis-server', debianPackage: 'redis-server', urlScheme: 'redis',
    // no RDB snapshots; the append-only file (for redis-streams' restarts) in the data dir
    args: (port, dataDir) => ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'yes',
      '--dir', dataDir, '--protected-mode', 'no', '--daemonize', 'no'],
  },
  mosquitto: {
    binary: 'mosquitto', debianPackage: 'mosquitto', urlScheme: 'mqtt',
    args: (port) => ['-p', String(port)],
  },
};
