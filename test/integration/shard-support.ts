// Helpers for the sharded-run tests: one reference cluster started with `chat-bench broker`
// (optionally with a shared fault proxy in front of it), N shard processes, their folders.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, ROOT, cli } from './support';
import type { ResultsV1 } from '../../src/contracts/results';

export interface Broker {
  child: ChildProcess;
  /** the nodes' own URLs */
  urls: string[];
  /** with faultProxy: the proxy's API and the URLs clients use through it (clients:node-1 …) */
  proxy?: { apiUrl: string; urls: string[] };
}

export async function startBroker(nodes: number, extra: string[] = [], withFaultProxy = false): Promise<Broker> {
  const args = [CLI, 'broker', '--nodes', String(nodes), '--port', '0', ...(withFaultProxy ? ['--fault-proxy'] : []), ...extra];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`broker did not start: ${out}`)), 30_000);
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('Ctrl-C to stop')) { clearTimeout(timer); resolve(); }
    });
    child.once('exit', () => reject(new Error(`broker exited: ${out}`)));
  });
  const urls = [...out.matchAll(/^ {2}node-\d+ {2}(\S+)$/gm)].map((m) => m[1]);
  assert.equal(urls.length, nodes, out);
  if (!withFaultProxy) return { child, urls };
  const apiUrl = /^fault proxy: (http:\/\/\S+)/m.exec(out)?.[1];
  const proxied = [...out.matchAll(/^ {2}clients:node-\d+ {2}(\S+)$/gm)].map((m) => m[1]);
  assert.ok(apiUrl && proxied.length === nodes, out);
  return { child, urls, proxy: { apiUrl, urls: proxied } };
}

/**
 * Writes a scenario on runtime external against `urls` (through the shared fault proxy whose
 * API is `faultProxy`, if given) to `file`: its name, the cluster line, then `body`'s lines.
 */
export function externalScenario(file: string, name: string, urls: string[], body: string[], faultProxy?: string): string {
  const cluster = `cluster: { runtime: external, urls: [${urls.join(', ')}]${faultProxy === undefined ? '' : `, faultProxy: ${faultProxy}`} }`;
  writeFileSync(file, [`name: ${name}`, cluster, ...body, ''].join('\n'));
  return file;
}

export const resultsIn = (dir: string): ResultsV1 => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as ResultsV1;

export const onlyDir = (parent: string, suffix: string): string => {
  const d = readdirSync(parent).filter((n) => n.endsWith(suffix));
  assert.equal(d.length, 1, `one folder ending ${suffix} in ${parent}: ${d}`);
  return join(parent, d[0]);
};

/** Runs shards 0 … n-1 of `file` as separate processes with a common start; returns their folders in index order. */
export async function runShards(file: string, out: string, n: number, extra: string[] = []): Promise<string[]> {
  const startAt = String(Date.now() + 15000); // every shard process is up by then, even on a loaded machine
  const runs = await Promise.all(Array.from({ length: n }, (_, i) =>
    cli(['run', file, '--shard', `${i}/${n}`, '--start-at', startAt, '--out', out, '-q', ...extra], { timeoutMs: 90_000 })));
  runs.forEach((r, i) => assert.equal(r.code, 0, `shard ${i}: ${r.stderr}`));
  return Array.from({ length: n }, (_, i) => onlyDir(out, `-shard${i}of${n}`));
}
