// Picks the runtime a scenario asks for. Docker is loaded lazily: testcontainers is heavy
// and only needed when asked for.
import type { RuntimeKind } from '../scenario/types';
import type { StartCluster } from './cluster';
import { startExternalCluster } from './external';
import { startLocalCluster } from './local';

export function runtimeFor(kind: RuntimeKind): StartCluster {
  switch (kind) {
    case 'local': return startLocalCluster;
    case 'external': return startExternalCluster;
    case 'docker': return (spec, opts) => (require('./docker') as typeof import('./docker')).startDockerCluster(spec, opts);
  }
}
