// wss:// through the fault proxy, against a real TLS server made at test time (openssl): a CA,
// a certificate for chat.test only, the reference broker behind a TLS-terminating front that
// checks a per-client JWT. The proxy is TCP on 127.0.0.1, so a run passes only if the client
// verified the certificate against the name it was given (chat.test), not against the proxy's
// address; a wrong CA, a wrong name or refused credentials end the run at once: one line, exit 3,
// every process it started gone (never a reconnect loop that ends as "lost messages").
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import { runBrokerCluster, type BrokerCluster } from '../../reference-broker/cluster-launcher';
import { makeTestCerts, type TestCerts } from '../support/certs';
import { startWsFront, type WsFront } from '../support/ws-front';
import { messages, runCli, survivors } from '../support/cli-run';
import { tmpOut } from '../integration/support';

const SECRET = 'test-secret-of-the-front';
const NAME = 'chat.test';

/** What the front accepts: an HS256 JWT signed with SECRET whose sub is the X-Client header. */
function checkJwt(req: IncomingMessage): number {
  const auth = req.headers.authorization ?? '';
  const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
  const [head, body, sig] = token.split('.');
  if (!head || !body || !sig) return 401;
  if (createHmac('sha256', SECRET).update(`${head}.${body}`).digest('base64url') !== sig) return 401;
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as { sub?: string; exp?: number; iat?: number };
  if (claims.sub !== req.headers['x-client']) return 403;
  if (!claims.exp || claims.exp * 1000 < Date.now() || !claims.iat) return 401;
  return 0;
}

describe('wss:// through the fault proxy, certificate verified against the original name', () => {
  let certs: TestCerts;
  let broker: BrokerCluster;
  let front: WsFront;
  let dir: string;

  before(async () => {
    certs = makeTestCerts(NAME);
    broker = await runBrokerCluster({ nodes: 1, basePort: 0 });
    front = await startWsFront({ upstreamPort: Number(new URL(broker.urls[0]).port), tls: { key: certs.key, cert: certs.cert }, check: checkJwt });
    dir = tmpOut('cb-tls-');
  });
  after(async () => {
    await front?.close();
    await broker?.close();
  });

  /** A small run against wss://HOST:PORT/ws, HOST mapped to 127.0.0.1 by cluster.hosts. */
  function scenarioFile(file: string, host = NAME, extra: Record<string, unknown> = {}): string {
    const path = join(dir, file);
    writeFileSync(path, JSON.stringify({
      name: `tls-${file}`,
      cluster: {
        runtime: 'external', urls: [`wss://${host}:${front.port}/ws`], hosts: { [host]: '127.0.0.1' },
        auth: {
          jwt: { secretEnv: 'CB_TEST_JWT_KEY', alg: 'HS256', claims: { sub: '{{clientId}}', scope: 'chat' }, expiresIn: '1h' },
          headers: { Authorization: 'Bearer {{jwt}}', 'X-Client': '{{clientId}}' },
          query: { user: 'u-{{clientId}}' },
          subprotocols: ['chat.v1'],
        },
        ...extra,
      },
      clients: {
        count: 12, rampUp: '300ms', channels: 3, subscriptionsPerClient: 2, publishers: 4, publishRate: '10/s',
        reconnect: { initial: '50ms', max: '500ms' }, heartbeat: { interval: '1s', timeout: '3s' },
      },
      duration: '4s', drain: '3s', recovery: '1s', seed: 5,
    }));
    return path;
  }

  test('with --ca: PASS, exact counts; SNI and Host are chat.test; each client sent its own token, header and query', async () => {
    front.seen.length = 0;
    const r = await runCli(['run', scenarioFile('ok.json'), '--out', dir, '--quiet', '--json-summary', '--ca', certs.caFile], { CB_TEST_JWT_KEY: SECRET });
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as { verdict: string; totals: Record<string, number>; clients: { maxConnected: number } };
    assert.equal(s.verdict, 'pass');
    assert.ok(s.totals.published > 50 && s.totals.expected > 0, JSON.stringify(s.totals));
    assert.equal(s.totals.acked, s.totals.published);
    assert.equal(s.totals.delivered, s.totals.expected);
    for (const k of ['lost', 'duplicated', 'reordered', 'phantom', 'protocolErrors']) assert.equal(s.totals[k], 0, k);
    assert.equal(s.clients.maxConnected, 12);

    const accepted = front.seen.filter((u) => u.status === 101);
    assert.equal(accepted.length, front.seen.length, 'no upgrade was refused');
    assert.ok(accepted.length >= 12);
    for (const u of accepted) {
      assert.equal(u.servername, NAME, 'SNI is the name written in the URL, not the proxy address');
      assert.equal(u.host, `${NAME}:${front.port}`, 'Host is the URL\'s own host:port');
      assert.equal(u.headers['sec-websocket-protocol'], 'chat.v1');
      const client = u.headers['x-client'] as string;
      assert.match(client, /^c\d+$/);
      assert.equal(new URL(u.url, 'http://x').searchParams.get('user'), `u-${client}`);
      assert.equal(new URL(u.url, 'http://x').pathname, '/ws');
    }
    // per-client values: 12 distinct clients, each with a token of its own whose sub is itself
    const subs = new Map(accepted.map((u) => {
      const token = (u.headers.authorization as string).slice(7);
      return [u.headers['x-client'] as string, JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).sub as string];
    }));
    assert.equal(subs.size, 12);
    for (const [client, sub] of subs) assert.equal(sub, client);
  });

  test('a wrong CA (clients in 2 worker processes): one line naming the cause, exit 3, no retry loop, nothing left running', async () => {
    front.seen.length = 0;
    front.failedHandshakes.count = 0;
    const r = await runCli(['run', scenarioFile('wrong-ca.json'), '--out', dir, '--quiet', '--workers', '2', '--ca', certs.wrongCaFile], { CB_TEST_JWT_KEY: SECRET });
    assert.equal(r.code, 3, r.stderr);
    const lines = messages(r.stderr);
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /^chat-bench: TLS: the certificate of chat\.test:\d+ is not trusted: .*\(hint: pass the CA that signed it with --ca FILE or cluster\.tls\.ca\)$/);
    assert.equal(front.seen.length, 0, 'no upgrade reached the server');
    // No reconnect loop: each of the 12 clients tried at most once, plus the runtime's TCP probe
    // (a loop, 50-500 ms apart for the 7 s of the run, would make about a hundred).
    assert.ok(front.failedHandshakes.count >= 2 && front.failedHandshakes.count <= 13, `${front.failedHandshakes.count} handshakes`);
    assert.ok(r.started.length >= 3, `saw the proxy and 2 workers start: ${r.started}`);
    assert.deepEqual(await survivors(r.started), [], 'no process the run started survives');
  });

  test('no CA given: the self-signed chain is not trusted either (exit 3)', async () => {
    const r = await runCli(['run', scenarioFile('no-ca.json'), '--out', dir, '--quiet'], { CB_TEST_JWT_KEY: SECRET });
    assert.equal(r.code, 3, r.stderr);
    assert.match(messages(r.stderr).join('\n'), /^chat-bench: TLS: the certificate of chat\.test:\d+ is not trusted/);
  });

  test('the right CA but another name (other.test → the same server): refused as the wrong name, exit 3', async () => {
    const r = await runCli(['run', scenarioFile('other-name.json', 'other.test'), '--out', dir, '--quiet', '--ca', certs.caFile], { CB_TEST_JWT_KEY: SECRET });
    assert.equal(r.code, 3, r.stderr);
    const lines = messages(r.stderr);
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /^chat-bench: TLS: the certificate of other\.test:\d+ is not valid for that name: .*other\.test.*ERR_TLS_CERT_ALTNAME_INVALID/);
  });

  test('--insecure connects without a CA and says loudly that nothing is verified', async () => {
    const r = await runCli(['run', scenarioFile('insecure.json'), '--out', dir, '--quiet', '--json-summary', '--insecure'], { CB_TEST_JWT_KEY: SECRET });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: TLS certificates are NOT verified/);
    assert.equal((JSON.parse(r.stdout) as { totals: { lost: number } }).totals.lost, 0);
  });

  test('a token signed with the wrong key: the server refuses it, one line, exit 3', async () => {
    front.seen.length = 0;
    const r = await runCli(['run', scenarioFile('bad-key.json'), '--out', dir, '--quiet', '--ca', certs.caFile], { CB_TEST_JWT_KEY: 'not-the-secret' });
    assert.equal(r.code, 3, r.stderr);
    const lines = messages(r.stderr);
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /^chat-bench: chat\.test:\d+ refused the credentials of client c\d+: HTTP 401 \(hint: check cluster\.auth/);
    assert.ok(front.seen.length >= 1 && front.seen.length <= 12, `each client tried once at most: ${front.seen.length} upgrades`);
    assert.deepEqual(await survivors(r.started), []);
  });

  test('the key variable unset: exit 2 naming it, before anything starts', async () => {
    const r = await runCli(['run', scenarioFile('no-key.json'), '--out', dir, '--quiet', '--ca', certs.caFile], { CB_TEST_JWT_KEY: '' });
    assert.equal(r.code, 2, r.stderr);
    assert.deepEqual(messages(r.stderr), ['chat-bench: cluster.auth.jwt.secretEnv: environment variable CB_TEST_JWT_KEY is not set (hint: export CB_TEST_JWT_KEY=… (the HMAC secret) before the run)']);
    assert.deepEqual(r.started, [], 'nothing was started');
  });
});
