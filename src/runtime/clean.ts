// `chat-bench clean`: removes every container, network and volume a docker run left behind
// (a crash or `kill -9` skips stop(), and with Ryuk off nothing else would).
import { connectDocker } from './docker-env';
import { LABEL_ALL, removeLabelled } from './docker-labels';

export async function cleanDocker(): Promise<{ containers: number; networks: number; volumes: number }> {
  const client = await connectDocker();
  return removeLabelled(client.container.dockerode, `${LABEL_ALL}=1`);
}
