// Network faults, all through the Toxiproxy API (DESIGN.md principle 2): a toxic on some
// proxies, a proxy taken down, or a partition (every link between a group and the rest).
import type { Toxic } from 'toxiproxy-node-client';
import type { FaultSpec } from '../contracts/scenario';
import type { Fault } from './fault';
import type { ProxyApis } from './proxy-apis';
import type { ProxySwitch } from './proxy-switch';

export class ToxicFault implements Fault {
  private added: Toxic<unknown>[] = [];

  constructor(
    readonly label: string,
    readonly target: string,
    private readonly apis: ProxyApis,
    private readonly proxyNames: string[],
    private readonly spec: FaultSpec,
    private readonly toxicName: string,
  ) {}

  async begin(): Promise<void> {
    const streams = this.spec.stream === 'both' ? ['upstream', 'downstream'] : [this.spec.stream ?? 'downstream'];
    await Promise.all(this.proxyNames.flatMap((proxyName) => streams.map(async (stream) => {
      const proxy = await this.apis.for(proxyName).get(proxyName);
      const toxic = await proxy.addToxic({
        name: `${this.toxicName}_${stream}`,
        type: this.spec.toxic!,
        stream,
        toxicity: this.spec.toxicity ?? 1,
        attributes: this.spec.attributes ?? {},
      } as never);
      this.added.push(toxic);
    })));
  }

  async end(): Promise<void> {
    const toxics = this.added;
    this.added = [];
    await Promise.all(toxics.map((t) => t.remove()));
  }
}

export class ProxiesDownFault implements Fault {
  constructor(
    readonly label: string,
    readonly target: string,
    private readonly switcher: ProxySwitch,
    private readonly proxyNames: string[],
  ) {}

  async begin(): Promise<void> {
    await Promise.all(this.proxyNames.map((name) => this.switcher.disable(name)));
  }

  async end(): Promise<void> {
    await Promise.all(this.proxyNames.map((name) => this.switcher.enable(name)));
  }
}
