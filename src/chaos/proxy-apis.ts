// Which Toxiproxy API serves a proxy. Usually one API serves them all; a big local run spreads
// its client proxies over several proxy processes (ClusterProxies.apiUrls says which).
import { Toxiproxy } from 'toxiproxy-node-client';
import type { ClusterProxies } from '../runtime/cluster';

export class ProxyApis {
  private readonly byUrl = new Map<string, Toxiproxy>();

  constructor(private readonly proxies: ClusterProxies) {}

  /** The client of the API that owns proxy `name`. */
  for(name: string): Toxiproxy {
    const url = this.proxies.apiUrls?.[name] ?? this.proxies.apiUrl;
    let client = this.byUrl.get(url);
    if (!client) {
      client = new Toxiproxy(url);
      this.byUrl.set(url, client);
    }
    return client;
  }
}
