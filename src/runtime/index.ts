// Picks the runtime a scenario asks for. Docker is loaded lazily: testcontainers is heavy
// and only needed when asked for.
import type { RuntimeKind } from '../contracts/scenario';
import type { StartCluster } from './cluster';
import { startExternalCluster } from './external';
import { startLocalCluster } from './local';
import { startSystemCluster } from './systems/cluster';

export function runtimeFor(kind: RuntimeKind): StartCluster {
  switch (kind) {
    // a real system (cluster.system) has its own local runtime; the reference broker the usual one
    case 'local': return (spec, opts) => ((spec.system ?? 'reference') === 'reference' ? startLocalCluster : startSystemCluster)(spec, opts);
    case 'external': return startExternalCluster;
    case 'docker': return (spec, opts) => (require('./docker/runtime') as typeof import('./docker/runtime')).startDockerCluster(spec, opts);
  }
}
