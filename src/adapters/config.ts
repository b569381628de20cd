// The adapter choice of a scenario's cluster, as the load engine (and its workers) receive it.
import type { ClusterSpec } from '../contracts/scenario';
import type { AdapterConfig } from './types';

export function adapterConfigOf(cluster: ClusterSpec): AdapterConfig {
  return {
    name: cluster.adapter ?? 'v1',
    ...(cluster.adapterOptions ? { options: cluster.adapterOptions } : {}),
    ...(cluster.resume ? { resume: cluster.resume } : {}),
    ...(cluster.adapterModule ? { module: cluster.adapterModule } : {}),
  };
}
