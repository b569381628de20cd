// Startup time of the Docker cluster (3 broker containers + 1 proxy container, proxies created,
// every node listening), image already built. Prints each run and the median.
// Usage: node build/bench/docker-startup.js [--runs 5]   (needs a Docker engine)
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDockerCluster } from '../src/runtime/docker/runtime';
import type { ClusterSpec } from '../src/contracts/scenario';

const runsAt = process.argv.indexOf('--runs');
const runs = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 5;
const spec: ClusterSpec = { runtime: 'docker', nodes: 3, durable: true, history: 10000, historySeconds: 3600, urls: [] };

async function once(): Promise<number> {
  const runDir = mkdtempSync(join(tmpdir(), 'cb-docker-bench-'));
  const t = performance.now();
  const cluster = await startDockerCluster(spec, { runDir });
  const ms = performance.now() - t;
  await cluster.stop();
  return ms;
}

(async () => {
  await once(); // builds the image if needed; not counted
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await once());
  const sorted = [...times].sort((a, b) => a - b);
  console.log(`docker cluster startup, image cached (3 nodes + proxy): ${times.map((t) => `${Math.round(t)} ms`).join(', ')}`);
  console.log(`median ${Math.round(sorted[Math.floor((sorted.length - 1) / 2)])} ms · min ${Math.round(sorted[0])} ms · max ${Math.round(sorted[sorted.length - 1])} ms · load average ${loadavg()[0].toFixed(2)}`);
})().catch((err) => { console.error(err?.message ?? err); process.exit(3); });
