// Picks the runtime a scenario asks for. Docker is loaded lazily: testcontainers is heavy
// and only needed when asked for.
import type { RuntimeKind } from '../contracts/scenario';
import type { StartCluster } from './cluster';
import { startExternalCluster } from './external';
import { startLocalCluster } from './local';

export function runtimeFor(kind: RuntimeKind): StartCluster {
  switch (kind) {
    case 'local': return startLocalCluster;
    case 'external': return startExternalCluster;
    case 'docker': return (spec, opts) => (require('./docker/runtime') as typeof import('./docker/runtime')).startDockerCluster(spec, opts);
  }
}
