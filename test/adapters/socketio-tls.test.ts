// Socket.IO over https:// through the fault proxy, against the example server (examples/
// socketio-chat, started here with a certificate made at test time for chat.test only, and its
// token check on). The proxy is TCP on 127.0.0.1: a run passes only if the client checked the
// certificate against chat.test, sent chat.test as SNI and Host, and presented a valid token in
// the handshake's auth payload. A wrong CA, a refused token or a refused upgrade end the run at
// once: one line, exit 3, a bounded number of attempts, nothing left running.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { startListeningProcess, stopProcess } from '../../src/runtime/process';
import { makeTestCerts, type TestCerts } from '../support/certs';
import { startWsFront, type WsFront } from '../support/ws-front';
import { messages, refusedRun, runCli, survivors } from '../support/cli-run';
import { ROOT, tmpOut } from '../integration/support';

const SECRET = 'test-secret-of-the-socketio-server';
const NAME = 'chat.test';
const SERVER = join(ROOT, 'examples/socketio-chat/server.js');

interface Logged { event: string; [k: string]: unknown }

describe('socketio over https:// through the fault proxy, with a token in the handshake', () => {
  let certs: TestCerts;
  let server: ChildProcess;
  let port: number;
  let dir: string;
  const logged: Logged[] = [];
  const seen = (event: string) => logged.filter((l) => l.event === event);

  before(async () => {
    certs = makeTestCerts(NAME);
    dir = tmpOut('cb-sio-tls-');
    writeFileSync(join(dir, 'server.key'), certs.key);
    writeFileSync(join(dir, 'server.pem'), certs.cert);
    // The example server reads its secret from AUTH_SECRET only (never a flag: ps would show it).
    const saved = process.env.AUTH_SECRET;
    process.env.AUTH_SECRET = SECRET;
    try {
      const started = await startListeningProcess('socketio-chat', SERVER,
        ['--port', '0', '--tls-cert', join(dir, 'server.pem'), '--tls-key', join(dir, 'server.key'), '--log-connections'],
        join(dir, 'server.log'), 15000, (line) => { if (line.startsWith('{')) logged.push(JSON.parse(line) as Logged); });
      server = started.child;
      port = started.port;
    } finally {
      if (saved === undefined) delete process.env.AUTH_SECRET; else process.env.AUTH_SECRET = saved;
    }
  });
  after(async () => { if (server) await stopProcess(server); });

  function scenarioFile(file: string, extra: Record<string, unknown> = {}): string {
    const path = join(dir, file);
    writeFileSync(path, JSON.stringify({
      name: `sio-tls-${file}`,
      cluster: {
        runtime: 'external', adapter: 'socketio', urls: [`https://${NAME}:${port}/?app=bench`], hosts: { [NAME]: '127.0.0.1' },
        auth: {
          jwt: { secretEnv: 'CB_TEST_JWT_KEY', claims: { sub: '{{clientId}}' }, expiresIn: '1h' },
          payload: { token: '{{jwt}}' },
          headers: { 'X-Client': '{{clientId}}' },
          query: { user: 'u-{{clientId}}' },
        },
        ...extra,
      },
      clients: {
        count: 12, rampUp: '300ms', channels: 3, subscriptionsPerClient: 2, publishers: 4, publishRate: '10/s',
        reconnect: { initial: '50ms', max: '500ms' }, heartbeat: { interval: '1s', timeout: '3s' },
      },
      duration: '3s', drain: '2s', recovery: '1s', seed: 7,
    }));
    return path;
  }

  test('with --ca: PASS, exact counts; SNI and Host are chat.test; each client sent its own token, header and query', async () => {
    logged.length = 0;
    const r = await runCli(['run', scenarioFile('ok.json'), '--out', dir, '--quiet', '--json-summary', '--ca', certs.caFile], { CB_TEST_JWT_KEY: SECRET });
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as { verdict: string; totals: Record<string, number>; clients: { maxConnected: number } };
    assert.equal(s.verdict, 'pass');
    assert.ok(s.totals.published > 40 && s.totals.expected > 0, JSON.stringify(s.totals));
    assert.equal(s.totals.acked, s.totals.published);
    assert.equal(s.totals.delivered, s.totals.expected);
    for (const k of ['lost', 'duplicated', 'phantom', 'protocolErrors']) assert.equal(s.totals[k], 0, k);
    assert.equal(s.clients.maxConnected, 12);

    const upgrades = seen('upgrade');
    assert.equal(upgrades.length, 12, 'one upgrade per client, none refused or retried');
    for (const u of upgrades) {
      assert.equal(u.servername, NAME, 'SNI is the name written in the URL, not the proxy address');
      assert.equal(u.host, `${NAME}:${port}`, 'Host is the URL\'s own host:port');
      const url = new URL(u.url as string, 'http://x');
      const client = (u.headers as Record<string, string>)['x-client'];
      assert.match(client, /^c\d+$/);
      assert.equal(url.searchParams.get('user'), `u-${client}`, 'cluster.auth.query, per client');
      assert.equal(url.searchParams.get('app'), 'bench', 'the URL\'s own query is kept');
    }
    const auths = seen('auth');
    assert.equal(auths.length, 12);
    assert.ok(auths.every((a) => a.ok === true), JSON.stringify(auths));
    // each client's own token (sub = its id) came with its own query
    const subs = new Set(auths.map((a) => { assert.equal((a.query as Record<string, string>).user, `u-${a.sub as string}`); return a.sub; }));
    assert.equal(subs.size, 12);
  });

  test('--insecure connects without a CA (warning printed), nothing lost', async () => {
    const r = await runCli(['run', scenarioFile('insecure.json'), '--out', dir, '--quiet', '--json-summary', '--insecure'], { CB_TEST_JWT_KEY: SECRET });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: TLS certificates are NOT verified/);
    assert.equal((JSON.parse(r.stdout) as { totals: { lost: number } }).totals.lost, 0);
  });

  test('a wrong CA: one line naming the cause, exit 3, no retry loop, nothing left running', async () => {
    logged.length = 0;
    const r = await runCli(['run', scenarioFile('wrong-ca.json'), '--out', dir, '--quiet', '--ca', certs.wrongCaFile], { CB_TEST_JWT_KEY: SECRET });
    assert.equal(r.code, 3, r.stderr);
    const lines = messages(r.stderr);
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /^chat-bench: TLS: the certificate of chat\.test:\d+ is not trusted: .*\(hint: pass the CA that signed it with --ca FILE or cluster\.tls\.ca\)$/);
    assert.equal(seen('upgrade').length, 0, 'no upgrade reached the server');
    // Each of the 12 clients tried at most once (a loop, 50-500 ms apart for the run, would make dozens).
    const failed = seen('tls-error').length;
    assert.ok(failed >= 1 && failed <= 12, `${failed} failed TLS handshakes`);
    assert.deepEqual(await survivors(r.started), [], 'no process the run started survives');
  });

  test('a token the server refuses (next(err) in its middleware): one line naming the refusal, exit 3, no retry loop', async () => {
    logged.length = 0;
    const r = await runCli(['run', scenarioFile('bad-key.json'), '--out', dir, '--quiet', '--ca', certs.caFile], { CB_TEST_JWT_KEY: 'not-the-secret' });
    assert.equal(r.code, 3, r.stderr);
    const lines = messages(r.stderr);
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /^chat-bench: chat\.test:\d+ refused the Socket\.IO connection of client c\d+: "unauthorized: bad signature" \(hint: check cluster\.auth/);
    const refused = seen('auth');
    assert.ok(refused.length >= 1 && refused.length <= 12, `each client tried once at most: ${refused.length} checks`);
    assert.ok(refused.every((a) => a.ok === false));
    assert.deepEqual(await survivors(r.started), []);
  });
});

describe('socketio: an upgrade refused with HTTP 401 (a front that checks credentials)', () => {
  let server: ChildProcess;
  let front: WsFront;
  let dir: string;
  before(async () => {
    dir = tmpOut('cb-sio-401-');
    const started = await startListeningProcess('socketio-chat', SERVER, ['--port', '0'], join(dir, 'server.log'));
    server = started.child;
    front = await startWsFront({ upstreamPort: started.port, check: () => 401 });
  });
  after(async () => {
    await front?.close();
    if (server) await stopProcess(server);
  });

  test('exit 3, one line naming HTTP 401, each client tried at most once', async () => {
    const { line } = await refusedRun(dir, {
      name: 'sio-401',
      cluster: { runtime: 'external', adapter: 'socketio', urls: [`http://127.0.0.1:${front.port}`], auth: { headers: { Authorization: 'Bearer nope' } } },
      clients: 6,
    });
    assert.match(line, /^chat-bench: 127\.0\.0\.1:\d+ refused the credentials of client c\d+: HTTP 401 \(hint: check cluster\.auth/);
    assert.ok(front.seen.length >= 1 && front.seen.length <= 6, `${front.seen.length} upgrades`);
    assert.equal(front.seen[0].headers.authorization, 'Bearer nope', 'cluster.auth.headers went on the upgrade');
  });
});
