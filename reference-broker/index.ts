// The reference broker's public surface, for the CLI (`chat-bench broker`) and in-process use.
export { startBrokerNode } from './server';
export type { BrokerNode } from './server';
export { runBrokerCluster } from './cluster-launcher';
export type { BrokerCluster, BrokerClusterOptions } from './cluster-launcher';
export { parseBrokerArgs, BROKER_USAGE } from './args';
export type { BrokerNodeOptions, PeerSpec, FaultSpec, BrokerFaultMode } from './options';
export { FAULT_MODES } from './options';
export { homeOf } from './rendezvous';
