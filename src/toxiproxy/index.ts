// Public surface of the embedded Toxiproxy-compatible server.
export { startToxiproxyServer, DEFAULT_API_PORT, type ToxiproxyServer, type ToxiproxyServerOptions } from './server';
export { TOXIPROXY_VERSION } from './api';
export { main } from './main';
