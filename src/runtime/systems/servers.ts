// How to start each real system on a loopback port: its Debian package, its binary and its
// command line. Each server writes its data (if any) under the run's data dir.
import type { SystemKind } from '../../contracts/scenario';

export interface ServerRecipe {
  binary: string;
  debianPackage: string;
  urlScheme: string;
  args(port: number, dataDir: string): string[];
}

export const SERVERS: Readonly<Record<Exclude<SystemKind, 'reference'>, ServerRecipe>> = {
  nats: {
    binary: 'nats-server', debianPackage: 'nats-server', urlScheme: 'nats',
    // -js: JetStream on (unused by core NATS subjects), file storage in the run's data dir
    args: (port, dataDir) => ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dataDir],
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
