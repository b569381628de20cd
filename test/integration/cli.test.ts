// The command line as a user meets it: the smoke scenario end to end, validate, and every
// kind of bad input answered by one line naming the cause, with the documented exit code.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { describe, test } from 'node:test';
import { WebSocketServer } from 'ws';
import { cli, small, tmpOut } from './support';

const oneLine = (s: string) => s.trim().split('\n').filter(Boolean);

function writeScenario(dir: string, name: string, body: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof body === 'string' ? body : JSON.stringify(body));
  return path;
}

describe('chat-bench CLI', () => {
  test('run scenarios/smoke.yaml: exit 0, delivered > 0, no integrity errors, reports written', async () => {
    const out = tmpOut();
    const r = await cli(['run', 'scenarios/smoke.yaml', '--out', out, '--quiet', '--json-summary', '--junit', join(out, 'junit.xml')]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const summary = JSON.parse(r.stdout) as { verdict: string; totals: Record<string, number> };
    assert.equal(summary.verdict, 'pass');
    assert.ok(summary.totals.delivered > 0);
    for (const k of ['lost', 'duplicated', 'reordered', 'phantom']) assert.equal(summary.totals[k], 0, k);
    const runDir = join(out, (require('node:fs') as typeof import('node:fs')).readdirSync(out).find((f) => f.includes('smoke'))!);
    const results = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as { schema: number; histograms: Record<string, string> };
    assert.equal(results.schema, 1);
    assert.ok(results.histograms.overall.length > 0);
    assert.ok(existsSync(join(runDir, 'report.html')));
    assert.match(readFileSync(join(out, 'junit.xml'), 'utf8'), /<testsuite[^>]*tests="\d+"/);
  });

  test('validate checks every file: an alias bomb between two good files is exit 2 naming it, the next file still checked', async () => {
    const dir = tmpOut();
    const good = (n: string) => writeScenario(dir, n, 'name: g\nduration: 60s\nclients: { count: 10 }\n');
    let bomb = 'name: b\nduration: 60s\nclients: { count: 10 }\na0: &a0 [x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 10; i++) bomb += `a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]\n`;
    const files = [good('a.yaml'), writeScenario(dir, 'bomb.yaml', bomb), writeScenario(dir, 'huge.yaml', 'name: h\nduration: 60s\nclients: { count: 10000000 }\n'), good('b.yaml')];
    const r = await cli(['validate', ...files], { timeoutMs: 30_000 });
    assert.equal(r.code, 2, r.stderr);
    assert.equal(oneLine(r.stdout).length, 2, r.stdout);
    assert.match(r.stdout, /ok {6}\S+a\.yaml[\s\S]*ok {6}\S+b\.yaml/);
    const errors = oneLine(r.stderr);
    assert.equal(errors.length, 2, r.stderr);
    assert.match(errors[0], /^chat-bench: scenario \S+bomb\.yaml: YAML aliases expand too much/);
    assert.match(errors[1], /^chat-bench: scenario \S+huge\.yaml:3: clients\.count: 10000000 is more than this machine can hold with 3 nodes: at most \d+/);
    assert.doesNotMatch(r.stderr, /internal error|    at /);
  });

  test('validate passes on every bundled scenario', async () => {
    const r = await cli(['validate', ...require('node:fs').readdirSync(join(__dirname, '../../../scenarios')).map((f: string) => `scenarios/${f}`)]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(oneLine(r.stdout).length >= 7);
  });

  const broken: Array<[string, unknown, RegExp]> = [
    ['unknown field', { ...small(), clients: { ...(small().clients as object), cuont: 5 } }, /clients\.cuont: .*unknown/i],
    ['wrong type', { ...small(), clients: { ...(small().clients as object), count: 'many' } }, /clients\.count/],
    ['negative rate', { ...small(), clients: { ...(small().clients as object), publishRate: '-5/s' } }, /clients\.publishRate/],
    ['duration without unit', { ...small(), duration: 30 }, /duration/],
    ['bad threshold', { ...small(), thresholds: { 'latency.p99': '< 100' } }, /latency\.p99/],
    ['unknown node in a fault', { ...small(), faults: [{ at: '1s', target: 'node:node-9', action: 'kill' }] }, /node-9/],
  ];
  for (const [what, body, field] of broken) {
    test(`validate and run refuse a scenario with ${what}: exit 2, one line naming the field`, async () => {
      const dir = tmpOut();
      const file = writeScenario(dir, 'bad.json', body);
      for (const args of [['validate', file], ['run', file, '--out', dir]]) {
        const r = await cli(args);
        assert.equal(r.code, 2, r.stderr);
        const lines = oneLine(r.stderr);
        assert.equal(lines.length, 1, r.stderr);
        assert.match(lines[0], field);
        assert.match(lines[0], /^chat-bench: /);
        assert.doesNotMatch(r.stderr, /\n\s+at /); // no stack trace
      }
    });
  }

  test('missing scenario file: exit 2 naming the path', async () => {
    const r = await cli(['run', 'scenarios/does-not-exist.yaml']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /does-not-exist\.yaml: no such file/);
  });

  test('YAML syntax error: exit 2 with line and column', async () => {
    const file = writeScenario(tmpOut(), 'bad.yaml', 'name: x\nclients: { count: 5\n');
    const r = await cli(['validate', file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad\.yaml:\d+:\d+: YAML syntax error/);
  });

  test('unreachable external URL: exit 3, one line, nothing left running', async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const dir = tmpOut();
    const file = writeScenario(dir, 'ext.json', { ...small(), cluster: { runtime: 'external', urls: [`ws://127.0.0.1:${port}`] } });
    const r = await cli(['run', file, '--out', dir]);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(oneLine(r.stderr).filter((l) => l.startsWith('chat-bench: ') && /unreachable/.test(l)).length, 1, r.stderr);
  });

  test('a target that sends garbage is counted (protocol errors, phantoms), never crashes the run', async () => {
    // A fake "broker": acknowledges subscriptions, then sends junk frames of every kind.
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => wss.once('listening', r));
    wss.on('connection', (ws) => {
      ws.on('message', (data) => {
        const f = JSON.parse(data.toString()) as { t: string; ch: string };
        if (f.t !== 'sub') return;
        ws.send(JSON.stringify({ t: 'subd', ch: f.ch, at: 0 }));
        ws.send('this is not json');
        ws.send(JSON.stringify({ t: 'wat' }));
        ws.send(Buffer.from([1, 2, 3]));
        ws.send(JSON.stringify({ t: 'msg', ch: f.ch, s: 1, id: 'ghost:x:1', d: { p: 'ghost', n: 1, ts: 1, x: '' } }));
      });
    });
    try {
      const port = (wss.address() as { port: number }).port;
      const dir = tmpOut();
      const file = writeScenario(dir, 'garbage.json', {
        ...small({ duration: '2s', drain: '1s' }),
        clients: { count: 5, channels: 2, subscriptionsPerClient: 1, publishers: 0 },
        cluster: { runtime: 'external', urls: [`ws://127.0.0.1:${port}`] },
      });
      const r = await cli(['run', file, '--out', dir, '--quiet', '--json-summary']);
      assert.equal(r.code, 1, r.stderr);
      const s = JSON.parse(r.stdout) as { totals: Record<string, number> };
      assert.ok(s.totals.protocolErrors >= 15, JSON.stringify(s.totals));
      assert.ok(s.totals.phantom >= 5, JSON.stringify(s.totals));
    } finally {
      await new Promise((r) => wss.close(r));
    }
  });
});
