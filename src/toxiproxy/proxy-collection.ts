// Every proxy by name. Guards name uniqueness and implements /populate's all-or-nothing
// validation followed by add-or-replace (Toxiproxy's proxy_collection.go).
import * as errors from './api-errors';
import { decodeStruct, GoJsonError, type GoStruct } from './go-json';
import { Proxy, PROXY_FIELDS } from './proxy';
import { parseBody } from './toxic-collection';

// /populate's entries embed the Proxy struct in an anonymous one (Go names it '')
const POPULATE_ENTRY: GoStruct = { name: '', fields: PROXY_FIELDS };
const POPULATE_ENTRY_TYPE = 'struct { toxiproxy.Proxy; Enabled *bool "json:\\"enabled\\"" }';

export interface PopulateResult {
  proxies: Proxy[];
  error?: unknown;
}

export class ProxyCollection {
  private readonly proxies = new Map<string, Proxy>();

  /** all proxies, sorted by name (Go marshals map keys sorted) */
  all(): Proxy[] {
    return [...this.proxies.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  get(name: string): Proxy {
    const proxy = this.proxies.get(name);
    if (!proxy) throw errors.proxyNotFound();
    return proxy;
  }

  /** Adds a new proxy; the duplicate check comes before binding. */
  async add(proxy: Proxy, start: boolean): Promise<void> {
    if (this.proxies.has(proxy.name)) throw errors.proxyAlreadyExists();
    if (start) await proxy.start();
    this.proxies.set(proxy.name, proxy);
  }

  /** Keeps an identical existing proxy untouched; otherwise stops it and puts `proxy` in its place. */
  async addOrReplace(proxy: Proxy, start: boolean): Promise<Proxy> {
    const existing = this.proxies.get(proxy.name);
    if (existing) {
      if (!(await existing.differs(proxy.listen, proxy.upstream))) return existing;
      await existing.stop();
    }
    if (start) await proxy.start();
    this.proxies.set(proxy.name, proxy);
    return proxy;
  }

  async remove(name: string): Promise<void> {
    const proxy = this.get(name);
    await proxy.stop();
    this.proxies.delete(name);
  }

  async clear(): Promise<void> {
    for (const proxy of this.all()) {
      await proxy.stop();
      this.proxies.delete(proxy.name);
    }
  }

  /** POST /populate: validate every entry first, then add or replace in order; stop at the first failure. */
  async populateJson(body: string): Promise<PopulateResult> {
    let entries: { name: string; listen: string; upstream: string; enabled: boolean }[];
    try {
      const root = parseBody(body);
      if (root.kind !== 'array' && root.kind !== 'null') {
        throw errors.badRequestBody(`json: cannot unmarshal ${root.kind} into Go value of type []${POPULATE_ENTRY_TYPE}`);
      }
      const items = root.kind === 'array' ? root.items : [];
      entries = items.map((item) => {
        try {
          const d = decodeStruct(item, POPULATE_ENTRY, POPULATE_ENTRY_TYPE);
          return {
            name: String(d.name ?? ''),
            listen: String(d.listen ?? ''),
            upstream: String(d.upstream ?? ''),
            enabled: d.enabled === undefined ? true : Boolean(d.enabled),
          };
        } catch (err) {
          if (err instanceof GoJsonError) throw errors.badRequestBody(err.message);
          throw err;
        }
      });
    } catch (error) {
      return { proxies: [], error };
    }
    for (let i = 0; i < entries.length; i++) {
      if (!entries[i].name) return { proxies: [], error: errors.missingField(`name at proxy ${i + 1}`) };
      if (!entries[i].upstream) return { proxies: [], error: errors.missingField(`upstream at proxy ${i + 1}`) };
    }
    const created: Proxy[] = [];
    for (const entry of entries) {
      try {
        created.push(await this.addOrReplace(new Proxy(entry.name, entry.listen, entry.upstream), entry.enabled));
      } catch (error) {
        return { proxies: created, error };
      }
    }
    return { proxies: created };
  }
}
