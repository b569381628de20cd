// `chat-bench clean`: removes every container, network and volume a docker run left behind
// (a crash or `kill -9` skips stop(), and with Ryuk off nothing else would).
import { connectDocker } from './docker/env';
import { LABEL_ALL, LABEL_RUN, removeLabelled } from './docker/labels';

/** Everything labelled chat-bench=1, or only what run `runId` (its run dir's name) created. */
export async function cleanDocker(runId?: string): Promise<{ containers: number; networks: number; volumes: number }> {
  const client = await connectDocker();
  return removeLabelled(client.container.dockerode, runId === undefined ? `${LABEL_ALL}=1` : `${LABEL_RUN}=${runId}`);
}
