// Disabling proxies with reference counts: a `down` and a `partition` that overlap on the
// same proxy must not re-enable it when the first of them ends.
import type { ProxyApis } from './proxy-apis';

export class ProxySwitch {
  private downCount = new Map<string, number>();

  constructor(private readonly apis: ProxyApis) {}

  async disable(name: string): Promise<void> {
    const n = this.downCount.get(name) ?? 0;
    this.downCount.set(name, n + 1);
    if (n === 0) await this.setEnabled(name, false);
  }

  async enable(name: string): Promise<void> {
    const n = this.downCount.get(name) ?? 0;
    if (n <= 0) return;
    this.downCount.set(name, n - 1);
    if (n === 1) await this.setEnabled(name, true);
  }

  private async setEnabled(name: string, enabled: boolean): Promise<void> {
    const proxy = await this.apis.for(name).get(name);
    await proxy.update({ enabled, listen: proxy.listen, upstream: proxy.upstream });
  }
}
