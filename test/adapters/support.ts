// Shared by the real-system adapter tests: is the server installed, a small scenario, the fault.
import { parseScenario } from '../../src/scenario/parse';
import { findBinary } from '../../src/runtime/systems/binary';
import { SERVERS } from '../../src/runtime/systems/servers';

export type RealSystem = 'nats' | 'redis' | 'mosquitto';

export function installed(system: RealSystem): boolean {
  try {
    findBinary(SERVERS[system].binary, SERVERS[system].debianPackage);
    return true;
  } catch {
    return false;
  }
}

export function scenario(system: RealSystem, patch: Record<string, unknown> = {}) {
  return parseScenario({
    name: `it-${system}`,
    // one server, two client entry points: the fault cuts only the clients of node-2
    cluster: { system, nodes: 2 },
    clients: {
      count: 24, rampUp: '500ms', channels: 4, subscriptionsPerClient: 2, publishers: 8, publishRate: '10/s',
      reconnect: { initial: '50ms', max: '500ms' }, heartbeat: { interval: '1s', timeout: '3s' },
    },
    duration: '7s', drain: '4s', recovery: '1s', seed: 3,
    ...patch,
  }, 'inline');
}

export const DOWN = { faults: [{ at: '2s', for: '4s', target: 'clients:node-2', action: 'down' }] };

/**
 * reset_peer on every connection entering at node-2 for 3 s: each link's broker→client bytes
 * vanish from the first one on, and 1.5 s later the link is reset. Client→broker bytes still
 * flow meanwhile, so a publish sent in that window reaches the broker while its ack is lost.
 */
export const RESET = {
  faults: [{ at: '2s', for: '3s', target: 'clients:node-2', toxic: 'reset_peer', attributes: { timeout: 1500 }, toxicity: 1 }],
};
