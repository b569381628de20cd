// The open-files budget: which run fits under which limit, the one-line refusal (exit 3) that
// names the limit and the fix, the soft limit raised for processes started afterwards, and the
// automatic number of workers.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { EXIT, UserError } from '../../src/util/errors';
import {
  planProxyProcesses, proxyFds, proxyProcessNodes,
} from '../../src/runtime/fd-budget';
import { checkFdBudget } from '../../src/capacity';
import { clientsPerNode } from '../../src/contracts/scenario';
import { driverFds } from '../../src/load/workers/driver-budget';
import { readFdLimits } from '../../src/util/fd-limits';
import { defaultWorkers, localAddressesFor, splitPlans } from '../../src/load/workers/plan';
import type { ClientPlan } from '../../src/load/assignment';
import { cli, ROOT, tmpOut } from '../integration/support';

function refusal(fn: () => void): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof UserError, String(err));
    assert.equal(err.exitCode, EXIT.infrastructure);
    return err.oneLine();
  }
  assert.fail('no refusal');
}

describe('fd budget', () => {
  test('20,000 clients fit a limit of 20,000 with 2 load processes and 3 nodes, not with 1 process', () => {
    const ok = { clients: 20_000, workers: 2, nodes: 3, runtime: 'local' as const, limit: 20_000 };
    checkFdBudget(ok);
    const line = refusal(() => checkFdBudget({ ...ok, workers: 1 }));
    assert.match(line, /^chat-bench: 20000 clients in 1 load process need about 21200 file descriptors per process, over the open-files limit of 20000 \(ulimit -n; hard limit \S+\) \(hint: run with --workers 2 or more, or fewer clients\)$/);
    assert.equal(driverFds(10_000), 10_700);
  });

  test('too many clients per node: the proxy process is named, the fix is more nodes', () => {
    const line = refusal(() => checkFdBudget({ clients: 50_000, workers: 4, nodes: 3, runtime: 'local', limit: 20_000 }));
    assert.match(line, /16667 clients per node need about 35201 file descriptors in that node's fault-proxy process, over the open-files limit of 20000/);
    assert.match(line, /\(hint: use more nodes \(cluster\.nodes: 6 or more\) or fewer clients\)$/);
    checkFdBudget({ clients: 50_000, workers: 4, nodes: 6, runtime: 'local', limit: 20_000 });
    assert.equal(proxyFds(8334), 17702);
  });

  test('the hint never suggests more than 16 nodes (issue 11: 10,000,000 clients once suggested cluster.nodes: 1061)', () => {
    const line = refusal(() => checkFdBudget({ clients: 10_000_000, workers: 1000, nodes: 3, runtime: 'local', limit: 20_000 }));
    assert.match(line, /\(hint: use at most 28284 clients with 3 nodes \(150848 with cluster\.nodes: 16\), or raise the hard limit\)$/);
    for (const m of line.matchAll(/cluster\.nodes: (\d+)/g)) assert.ok(Number(m[1]) <= 16, line);
  });

  test('docker checks only the load processes; external puts every client through one proxy process', () => {
    checkFdBudget({ clients: 50_000, workers: 4, nodes: 3, runtime: 'docker', limit: 20_000 });
    assert.match(refusal(() => checkFdBudget({ clients: 12_000, workers: 1, nodes: 3, runtime: 'external', limit: 20_000 })),
      /the fault proxy would relay 12000 client connections in one process/);
  });

  test('proxy processes: one while everything fits, split by node when it does not', () => {
    assert.deepEqual(clientsPerNode(10, 3), [4, 3, 3]);
    assert.deepEqual(proxyProcessNodes(3, 300, 20_000), [['node-1', 'node-2', 'node-3']]);
    assert.deepEqual(proxyProcessNodes(3, 20_000, 20_000), [['node-1'], ['node-2'], ['node-3']]);
    // 4 nodes × 4,000: two client proxies per process (8,000 connections ≤ 9,428), links in the first.
    assert.deepEqual(planProxyProcesses([4000, 4000, 4000, 4000], 12, 20_000), [[0, 1], [2, 3]]);
  });

  test('a node process runs with its soft limit at the hard limit, whatever it was started with', (t) => {
    // Node raises RLIMIT_NOFILE's soft limit to the hard one at startup: the budget uses the
    // soft limit chat-bench sees, which is then the limit of every process it starts.
    const limits = readFdLimits();
    const prlimit = spawnSync('prlimit', ['--version']);
    if (!limits || prlimit.error || limits.hard < 2048 || !Number.isFinite(limits.hard)) {
      t.skip('needs /proc/self/limits, prlimit(1) and a hard limit >= 2048');
      return;
    }
    const code = `
      const { readFdLimits } = require(${JSON.stringify(join(__dirname, '../../src/util/fd-limits.js'))});
      console.log(JSON.stringify(readFdLimits()));`;
    const r = spawnSync('prlimit', ['--nofile=1024:' + limits.hard, process.execPath, '-e', code], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { soft: limits.hard, hard: limits.hard });
  });

  test('chat-bench run refuses a run that cannot fit before starting anything: exit 3, one line', async (t) => {
    const limit = readFdLimits()?.hard;
    if (!limit || !Number.isFinite(limit) || limit > 100_000) {
      t.skip('needs a finite open-files hard limit');
      return;
    }
    const clients = Math.ceil(limit * 1.2);
    const file = join(tmpOut(), 'huge.yaml');
    writeFileSync(file, `name: huge\ncluster: { runtime: local, nodes: 16 }\nclients: { count: ${clients}, publishers: 1 }\nduration: 5s\n`);
    const started = Date.now();
    const r = await cli(['run', file, '--workers', '1', '--out', tmpOut()], { cwd: ROOT, timeoutMs: 30_000 });
    assert.equal(r.code, EXIT.infrastructure, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`^chat-bench: ${clients} clients in 1 load process need about \\d+ file descriptors per process, over the open-files limit of ${limit}.*--workers 2 or more`));
    assert.ok(Date.now() - started < 10_000, 'refused only after starting things');
  });
});

describe('splitting clients', () => {
  const plans: ClientPlan[] = Array.from({ length: 10 }, (_, i) => ({ id: `c${i}`, node: i % 3, channels: [], publishChannel: null, startOffsetMs: i }));

  test('each client in exactly one worker, round robin', () => {
    const parts = splitPlans(plans, 3);
    assert.deepEqual(parts.map((p) => p.map((c) => c.id)), [['c0', 'c3', 'c6', 'c9'], ['c1', 'c4', 'c7'], ['c2', 'c5', 'c8']]);
  });

  test('default workers: 1 below 5,000 clients; cores - 1 and what the fd limit needs above', () => {
    assert.equal(defaultWorkers(4999, 8, 20_000), 1);
    assert.equal(defaultWorkers(5000, 2, 20_000), 1);
    assert.equal(defaultWorkers(5000, 8, 20_000), 7);
    assert.equal(defaultWorkers(20_000, 2, 20_000), 2);
    assert.equal(defaultWorkers(50_000, 2, 20_000), 3);
  });

  test('loopback source addresses only when a node gets more than 20,000 clients', () => {
    const urls = ['ws://127.0.0.1:1', 'ws://127.0.0.1:2'];
    assert.deepEqual(localAddressesFor(urls, 40_000), []);
    assert.deepEqual(localAddressesFor(urls, 40_002), ['127.0.0.1', '127.0.0.2']);
    assert.deepEqual(localAddressesFor(['ws://localhost:1'], 50_000), []);
  });
});
