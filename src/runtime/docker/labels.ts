// Everything the docker runtime creates carries these labels, because with Ryuk off nothing
// else removes it: stop() removes one cluster's objects, `chat-bench clean` every leftover.
import type Dockerode from 'dockerode';

export const LABEL_ALL = 'chat-bench';          // "1" on every object
export const LABEL_RUN = 'chat-bench.run';      // the run id (basename of the run dir)
export const LABEL_CLUSTER = 'chat-bench.cluster'; // unique per startDockerCluster call

export function clusterLabels(runId: string, clusterId: string): Record<string, string> {
  return { [LABEL_ALL]: '1', [LABEL_RUN]: runId, [LABEL_CLUSTER]: clusterId };
}

export interface Removed { containers: number; networks: number; volumes: number }

/**
 * Removes containers (forced: a SIGKILL, no grace period), then networks, then volumes carrying
 * `label` ("key=value"). Containers go first: a network or volume in use cannot be removed.
 * Errors on single objects (already gone, removal in progress) are ignored; counts are what was removed.
 */
export async function removeLabelled(docker: Dockerode, label: string): Promise<Removed> {
  const filters = JSON.stringify({ label: [label] });
  const removed: Removed = { containers: 0, networks: 0, volumes: 0 };
  const count = async (key: keyof Removed, remove: Promise<unknown>) => {
    try {
      await remove;
      removed[key]++;
    } catch {
      /* gone already or being removed by a concurrent stop(): nothing left to do */
    }
  };
  const containers = await docker.listContainers({ all: true, filters });
  await Promise.all(containers.map((c) => count('containers', docker.getContainer(c.Id).remove({ force: true, v: true }))));
  const networks = await docker.listNetworks({ filters });
  await Promise.all(networks.map((n) => count('networks', docker.getNetwork(n.Id).remove())));
  const { Volumes: volumes } = await docker.listVolumes({ filters });
  await Promise.all((volumes ?? []).map((v) => count('volumes', docker.getVolume(v.Name).remove())));
  return removed;
}
