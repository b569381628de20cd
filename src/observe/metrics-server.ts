// --metrics host:port: a Prometheus /metrics endpoint for the length of a run (prom-client),
// fed once a second from the run's live counters. Every series carries run_id and shard, so
// the shards of one run scraped side by side sum up in a query; delivery latency is a
// histogram with fixed buckets (histogram_quantile over all shards' buckets works).
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry } from 'prom-client';
import { usageError } from '../util/errors';
import type { LiveSecond, RunObserver } from './observer';
import { LatencyHistogramMetric } from './latency-histogram-metric';

export function parseListenAddress(text: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw usageError(`--metrics: "${text}" is not host:port`, 'e.g. --metrics 127.0.0.1:9464 (0.0.0.0:9464 inside a pod)');
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}

export interface MetricsServer extends RunObserver { readonly url: string }

export async function startMetricsServer(address: string, labels: { runId: string; shard: string }): Promise<MetricsServer> {
  const { host, port } = parseListenAddress(address);
  const registry = new Registry();
  registry.setDefaultLabels({ run_id: labels.runId, shard: labels.shard });
  const counter = (name: string, help: string) => new Counter({ name, help, registers: [registry] });
  const gauge = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers: [registry] });
  const deliveries = counter('chat_bench_deliveries_total', 'messages received by subscribers (duplicates included)');
  const published = counter('chat_bench_publishes_total', 'messages sent for the first time');
  const acked = counter('chat_bench_acks_total', 'publishes acknowledged by the target');
  const reconnects = counter('chat_bench_reconnects_total', 'successful reconnects');
  const disconnects = counter('chat_bench_disconnects_total', 'connections lost');
  const connected = gauge('chat_bench_connected_clients', 'clients connected now');
  const holes = gauge('chat_bench_integrity_holes', 'gaps in the subscriber streams so far (the live "lost so far"; the verdict decides at the end)');
  const p99 = gauge('chat_bench_latency_p99_seconds', 'delivery latency p99 of the last completed second');
  const activeFaults = gauge('chat_bench_active_faults', 'faults in force now');
  const faultActive = gauge('chat_bench_fault_active', '1 while the fault is in force', ['fault']);
  const phase = gauge('chat_bench_phase', '1 for the phase the run is in', ['phase']);
  const known = new Set<string>();
  const latency = new LatencyHistogramMetric();
  registry.registerMetric(latency as unknown as Parameters<Registry['registerMetric']>[0]);

  const server: Server = createServer((req, res) => {
    if (req.url?.split('?')[0] !== '/metrics') { res.writeHead(404).end('see /metrics\n'); return; }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: Error) => res.writeHead(500).end(`${err.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(usageError(`--metrics ${address}: cannot listen (${err.code ?? err.message})`, 'pick a free port, or 0.0.0.0:<port> inside a container')));
    server.listen(port, host, () => resolve());
  });
  const bound = server.address();
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${typeof bound === 'object' && bound ? bound.port : port}/metrics`;

  return {
    url,
    second(s: LiveSecond) {
      deliveries.inc(s.sample.deliveries);
      published.inc(s.sample.published);
      acked.inc(s.sample.acked);
      reconnects.inc(s.sample.reconnects);
      disconnects.inc(s.sample.disconnects);
      connected.set(s.sample.connected);
      holes.set(s.totals.holes);
      if (s.p99LastSecUs !== null) p99.set(s.p99LastSecUs / 1e6);
      activeFaults.set(s.activeFaults.length);
      for (const f of s.activeFaults) known.add(f);
      for (const f of known) faultActive.set({ fault: f }, s.activeFaults.includes(f) ? 1 : 0);
      for (const p of ['steady', 'fault', 'recovery']) phase.set({ phase: p }, p === s.phase ? 1 : 0);
      if (s.latencyBuckets) latency.update(s.latencyBuckets, s.phaseOfSecond ?? (() => s.phase));
    },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
