// deploy/kubernetes/*.yaml parse, and every value the Jobs pass to chat-bench is one the CLI
// accepts: the run flags (through the real command-line parser), each pod's shard index with
// the total, the scenario file in the ConfigMap (through the real scenario parser), the
// results folder on the shared volume, and the merge step over the same folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';
import { buildProgram } from '../../src/cli';
import { parseScenario } from '../../src/scenario/parse';
import { shardSetup } from '../../src/shard/run-flags';
import { parseListenAddress } from '../../src/observe/metrics-server';

const DIR = join(__dirname, '../../../deploy/kubernetes');
type Doc = Record<string, any>;

function manifests(): Doc[] {
  const docs: Doc[] = [];
  for (const f of readdirSync(DIR).filter((n) => n.endsWith('.yaml')).sort()) {
    for (const d of parseAllDocuments(readFileSync(join(DIR, f), 'utf8'))) {
      assert.deepEqual(d.errors, [], `${f}: ${d.errors.join('; ')}`);
      const value = d.toJS() as Doc;
      assert.ok(value.apiVersion && value.kind && value.metadata?.name, `${f}: apiVersion, kind, metadata.name`);
      docs.push(value);
    }
  }
  return docs;
}

/** Kubernetes' $(VAR) expansion from the container's env (values from ConfigMaps resolved). */
function expand(arg: string, env: Record<string, string>): string {
  return arg.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name: string) => env[name] ?? m);
}

/** The options `chat-bench <args>` parses to, without running the command. */
async function parsedOptions(args: string[]): Promise<{ command: string; operands: string[]; opts: Record<string, string | boolean | undefined> }> {
  const program = buildProgram();
  let seen: { command: string; operands: string[]; opts: Record<string, string | boolean | undefined> } | null = null;
  for (const c of program.commands) {
    c.action((...a: unknown[]) => {
      const cmd = a[a.length - 1] as { name(): string; opts(): Record<string, string> };
      seen = { command: cmd.name(), operands: a.slice(0, -2).flat() as string[], opts: cmd.opts() };
    });
  }
  await program.parseAsync(['node', 'chat-bench', ...args]);
  assert.ok(seen, `chat-bench ${args.join(' ')} ran no command`);
  return seen;
}

test('deploy/kubernetes: the manifests parse and the Jobs pass chat-bench values it accepts', async () => {
  const docs = manifests();
  const find = (kind: string, name: string) => {
    const d = docs.find((x) => x.kind === kind && x.metadata.name === name);
    assert.ok(d, `${kind}/${name}`);
    return d;
  };
  const configMaps = new Map(docs.filter((d) => d.kind === 'ConfigMap').map((d) => [d.metadata.name as string, d.data as Record<string, string>]));
  find('Deployment', 'toxiproxy');
  find('Service', 'toxiproxy');
  assert.match(find('Deployment', 'toxiproxy').spec.template.spec.containers[0].image, /shopify\/toxiproxy/);

  const job = find('Job', 'chat-bench-shards');
  assert.equal(job.spec.completionMode, 'Indexed');
  assert.equal(job.spec.parallelism, job.spec.completions);
  const pod = job.spec.template.spec;
  const container = pod.containers[0];
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) {
    const ref = e.valueFrom?.configMapKeyRef;
    env[e.name] = ref ? configMaps.get(ref.name)?.[ref.key] ?? assert.fail(`configMap ${ref.name} key ${ref.key}`) : e.value;
  }
  const mountOf = (path: string) => {
    const m = container.volumeMounts.find((v: Doc) => path === v.mountPath || path.startsWith(`${v.mountPath}/`));
    assert.ok(m, `${path} is on a mounted volume`);
    return { mount: m, volume: pod.volumes.find((v: Doc) => v.name === m.name) };
  };

  const total = job.spec.completions as number;
  for (let index = 0; index < total; index++) {
    const podEnv = { ...env, JOB_COMPLETION_INDEX: String(index) };
    const args = (container.args as string[]).map((a) => expand(a, podEnv));
    assert.ok(args.every((a) => !a.includes('$(')), `every $(VAR) is defined: ${args.join(' ')}`);
    const { command, operands, opts } = await parsedOptions(args);
    assert.equal(command, 'run');
    // the scenario: a key of the ConfigMap mounted there, accepted by the scenario parser
    const { mount, volume } = mountOf(operands[0]);
    const key = operands[0].slice(mount.mountPath.length + 1);
    const text = configMaps.get(volume.configMap.name)?.[key];
    assert.ok(text, `${operands[0]} is key ${key} of ConfigMap ${volume.configMap?.name}`);
    const scenario = parseScenario(parse(text) as Record<string, unknown>, operands[0]);
    sharedProxyWiring(scenario.cluster, docs, configMaps);
    // the shard: index from the Job, total from --shards; start from the ConfigMap (in the future here)
    const setup = shardSetup({ ...(opts as Record<string, string>), startAt: undefined }, scenario,
      { JOB_COMPLETION_INDEX: String(index), CHAT_BENCH_START_AT: String(Date.now() + 60_000) });
    assert.deepEqual(setup.shard, { index, total });
    assert.ok(!Number.isNaN(Date.parse(env.CHAT_BENCH_START_AT)), 'start-at in the ConfigMap is an ISO time');
    // results on the shared volume
    assert.equal(mountOf(String(opts.out)).volume.persistentVolumeClaim.claimName, 'chat-bench-results');
    assert.equal(mountOf(String(opts.events)).volume.persistentVolumeClaim.claimName, 'chat-bench-results');
    assert.equal(parseListenAddress(String(opts.metrics)).port, container.ports.find((p: Doc) => p.name === 'metrics').containerPort);
  }

  // The merge step reads the same folder, every shard of the run.
  const merge = find('Job', 'chat-bench-merge').spec.template.spec;
  const script = merge.containers[0].args[0] as string;
  const mergeEnv = Object.fromEntries(merge.containers[0].env.map((e: Doc) => [e.name, configMaps.get(e.valueFrom.configMapKeyRef.name)![e.valueFrom.configMapKeyRef.key]]));
  const words = script.replace(/^exec /, '').replace(/"\$([A-Z_]+)"/g, (_m, v: string) => mergeEnv[v]).split(/\s+/);
  assert.equal(words[0], 'chat-bench');
  const shardGlob = words[2];
  assert.equal(shardGlob, `/results/${env.RUN_NAME}/*-shard*of${total}`);
  const mergeArgs = [words[1], ...Array.from({ length: total }, (_, i) => shardGlob.replace('*-shard*', `x-shard${i}`)), ...words.slice(3)];
  const parsedMerge = await parsedOptions(mergeArgs);
  assert.equal(parsedMerge.command, 'merge');
  assert.equal(parsedMerge.operands.length, total);
  assert.equal(merge.volumes[0].persistentVolumeClaim.claimName, 'chat-bench-results');
});

/**
 * Every shard goes through the one Toxiproxy, and faults reach it: cluster.faultProxy is the
 * Service's API port, and each cluster.urls[K-1] reaches a proxy clients:node-K of its config
 * through a port the Service exposes.
 */
function sharedProxyWiring(cluster: { urls: string[]; faultProxy?: string }, docs: Doc[], configMaps: Map<string, Record<string, string>>): void {
  const service = docs.find((d) => d.kind === 'Service' && d.metadata.name === 'toxiproxy')!;
  const servicePort = (port: number) => service.spec.ports.find((p: Doc) => p.port === port);
  assert.ok(cluster.faultProxy, 'the scenario names the shared fault proxy (cluster.faultProxy)');
  const api = new URL(cluster.faultProxy);
  assert.equal(api.hostname, service.metadata.name);
  assert.equal(servicePort(Number(api.port))?.targetPort, 8474, 'faultProxy is the Toxiproxy API port');
  const proxies = JSON.parse(configMaps.get('toxiproxy-config')!['toxiproxy.json']) as Array<{ name: string; listen: string }>;
  cluster.urls.forEach((raw, i) => {
    const url = new URL(raw);
    assert.equal(url.hostname, service.metadata.name, `${raw} goes through the Toxiproxy Service`);
    const proxy = proxies.find((p) => p.name === `clients:node-${i + 1}`);
    assert.ok(proxy, `toxiproxy.json has clients:node-${i + 1}`);
    assert.equal(Number(proxy.listen.split(':').pop()), servicePort(Number(url.port))?.targetPort, `${raw} reaches ${proxy.name}`);
  });
}
