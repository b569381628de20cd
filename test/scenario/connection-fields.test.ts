// cluster.hosts, cluster.tls and cluster.auth as the scenario reader takes and refuses them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScenario } from '../../src/scenario/parse';
import { loadScenarioFile } from '../../src/scenario/load';
import { makeTestCerts } from '../support/certs';
import { refuses, scenarioWith } from './support';

const ext = (cluster: Record<string, unknown>) => scenarioWith({ cluster: { runtime: 'external', urls: ['wss://chat.test:8443/ws'], ...cluster } });
const parse = (raw: unknown) => parseScenario(raw, 't.yaml');

describe('cluster.hosts', () => {
  test('maps a URL host name (case-insensitively) to an address, with or without a port', () => {
    assert.deepEqual(parse(ext({ hosts: { 'Chat.Test': '127.0.0.1' } })).cluster.hosts, { 'chat.test': '127.0.0.1' });
    assert.deepEqual(parse(ext({ hosts: { 'chat.test': '10.0.0.5:9443' } })).cluster.hosts, { 'chat.test': '10.0.0.5:9443' });
  });
  test('refuses a name no URL uses, a bad address, and other runtimes', () => {
    refuses(ext({ hosts: { 'other.test': '127.0.0.1' } }), 'cluster.hosts["other.test"]: is not the host of any of cluster.urls', /the URLs name chat\.test/);
    refuses(ext({ hosts: { 'chat.test': '127.0.0.1/x' } }), 'cluster.hosts["chat.test"]: "127.0.0.1/x" is not an address', /IP address or host name/);
    refuses(scenarioWith({ cluster: { hosts: { a: 'b' } } }), 'cluster.hosts: is only used with runtime external (runtime is local)', /start their own nodes/);
    refuses(ext({ hosts: ['chat.test=127.0.0.1'] }), 'cluster.hosts: ["chat.test=127.0.0.1"] is not a mapping', 'write it like { chat.example.com: 127.0.0.1 }');
  });
});

describe('cluster.tls', () => {
  const certs = makeTestCerts('chat.test');
  test('ca: an absolute path is kept; a relative one starts from the scenario file\'s folder', () => {
    assert.deepEqual(parse(ext({ tls: { ca: certs.caFile } })).cluster.tls, { caFile: certs.caFile });
    const dir = mkdtempSync(join(tmpdir(), 'cb-tls-scn-'));
    writeFileSync(join(dir, 'ca.pem'), readFileSync(certs.caFile));
    writeFileSync(join(dir, 's.json'), JSON.stringify(ext({ tls: { ca: './ca.pem' } })));
    assert.equal(loadScenarioFile(join(dir, 's.json')).cluster.tls?.caFile, join(dir, 'ca.pem'));
  });
  test('refuses a missing file, a file without certificates (the key), ca beside insecure, no wss:// URL, other runtimes', () => {
    refuses(ext({ tls: { ca: '/nonexistent/ca.pem' } }), 'cluster.tls.ca: /nonexistent/ca.pem: no such file', 'name a PEM file of CA certificates');
    const keyFile = join(certs.dir, 'server.key');
    refuses(ext({ tls: { ca: keyFile } }), `cluster.tls.ca: ${keyFile} holds no PEM certificate ("-----BEGIN CERTIFICATE-----")`, /not the server key/);
    refuses(ext({ tls: { ca: certs.caFile, insecure: true } }), 'cluster.tls.ca: is not used when insecure is true (nothing is verified)');
    refuses(scenarioWith({ cluster: { runtime: 'external', urls: ['ws://a:1'], tls: { insecure: true } } }), 'cluster.tls: is set but no URL of cluster.urls uses TLS (wss://)', 'write wss:// URLs, or leave tls out');
    refuses(scenarioWith({ cluster: { runtime: 'external', adapter: 'socketio', urls: ['http://a:1'], tls: { insecure: true } } }), 'cluster.tls: is set but no URL of cluster.urls uses TLS (https://, wss://)', 'write https:// URLs, or leave tls out');
    refuses(scenarioWith({ cluster: { tls: { insecure: true } } }), 'cluster.tls: is only used with runtime external (runtime is local)', /without TLS/);
  });
});

describe('which adapters apply cluster.tls', () => {
  const certs = makeTestCerts('chat.test');
  test('socketio takes tls (https:// or wss://) and hosts like v1', () => {
    for (const url of ['https://chat.test:8443', 'wss://chat.test:8443/']) {
      const s = parse(scenarioWith({ cluster: { runtime: 'external', adapter: 'socketio', urls: [url], hosts: { 'chat.test': '127.0.0.1' }, tls: { ca: certs.caFile } } }));
      assert.deepEqual(s.cluster.tls, { caFile: certs.caFile });
      assert.deepEqual(s.cluster.hosts, { 'chat.test': '127.0.0.1' });
    }
  });
  test('the adapters that cannot use it refuse it with one line naming the ones that can', () => {
    const cases: Array<[string, string]> = [['nats', 'nats://a:4222'], ['jetstream', 'nats://a:4222'], ['mqtt', 'mqtt://a:1883'], ['redis-pubsub', 'redis://a:6379'], ['redis-streams', 'redis://a:6379']];
    for (const [adapter, url] of cases) {
      refuses(scenarioWith({ cluster: { runtime: 'external', adapter, urls: [url], tls: { insecure: true } } }),
        `cluster.tls: adapter ${adapter} does not apply cluster.tls yet`, 'leave tls out (the system\'s CAs are used), or use adapter v1 or socketio');
    }
  });
});

describe('cluster.auth', () => {
  const jwt = { secretEnv: 'CHAT_BENCH_JWT_KEY', claims: { sub: '{{clientId}}' }, expiresIn: '1h' };
  test('is normalised: alg defaults to HS256, expiresIn in ms', () => {
    const s = parse(ext({ auth: { jwt, headers: { Authorization: 'Bearer {{jwt}}' }, query: { t: '{{jwt}}' }, subprotocols: ['chat.v1', 'u.{{clientId}}'] } }));
    assert.deepEqual(s.cluster.auth, {
      headers: { Authorization: 'Bearer {{jwt}}' }, query: { t: '{{jwt}}' }, subprotocols: ['chat.v1', 'u.{{clientId}}'],
      jwt: { secretEnv: 'CHAT_BENCH_JWT_KEY', alg: 'HS256', claims: { sub: '{{clientId}}' }, expiresInMs: 3_600_000 },
    });
  });
  test('refuses unknown templates, {{jwt}} without jwt or inside its claims, reserved claims, bad names', () => {
    refuses(ext({ auth: { headers: { A: '{{user}}' } } }), 'cluster.auth.headers.A: {{user}} is not a template chat-bench knows', 'write {{clientId}}, {{jwt}} or {{env.NAME}}');
    refuses(ext({ auth: { query: { t: '{{jwt}}' } } }), 'cluster.auth.query.t: {{jwt}} needs auth.jwt', /secretEnv/);
    refuses(ext({ auth: { jwt: { ...jwt, claims: { sub: '{{jwt}}' } } } }), 'cluster.auth.jwt.claims.sub: {{jwt}} cannot be inside the token\'s own claims');
    refuses(ext({ auth: { jwt: { ...jwt, claims: { exp: 1 } } } }), 'cluster.auth.jwt.claims.exp: is set by chat-bench for each token', 'write expiresIn: 1h beside claims');
    refuses(ext({ auth: { jwt: { ...jwt, secretEnv: 'my secret' } } }), 'cluster.auth.jwt.secretEnv: "my secret" is not an environment variable name', /never goes in the file/);
    refuses(ext({ auth: { jwt: { claims: {} } } }), 'cluster.auth.jwt.secretEnv: is required', /CHAT_BENCH_JWT_KEY/);
    refuses(ext({ auth: { jwt: { ...jwt, alg: 'none' } } }), 'cluster.auth.jwt.alg: "none" is not one of HS256, HS384, HS512, RS256');
    refuses(ext({ auth: { headers: { Host: 'x' } } }), 'cluster.auth.headers.Host: is written by the WebSocket handshake itself', /cluster\.hosts/);
    refuses(ext({ auth: { headers: { 'Sec-WebSocket-Protocol': 'x' } } }), 'cluster.auth.headers["Sec-WebSocket-Protocol"]: is written by the WebSocket handshake itself', 'write the values in auth.subprotocols');
    refuses(ext({ auth: { headers: { A: 'x\r\nB: y' } } }), 'cluster.auth.headers.A: must be one line');
    refuses(ext({ auth: { subprotocols: ['a b'] } }), 'cluster.auth.subprotocols[0]: "a b" is not a subprotocol name', /no spaces/);
    refuses(ext({ auth: { headers: 'Authorization: x' } }), 'cluster.auth.headers: "Authorization: x" is not a mapping', 'write it like { Authorization: "Bearer {{jwt}}" }');
    refuses(ext({ auth: { query: ['t'] } }), 'cluster.auth.query: ["t"] is not a mapping', 'write it like { token: "{{jwt}}" }');
    refuses(ext({ auth: { jwt: { ...jwt, claims: 'sub' } } }), 'cluster.auth.jwt.claims: "sub" is not a mapping', 'write it like { sub: "{{clientId}}" }');
  });
  test('refuses what the adapter cannot send', () => {
    refuses(scenarioWith({ cluster: { system: 'nats', auth: { headers: { A: 'b' } } } }), 'cluster.auth.headers: adapter nats cannot send headers', 'adapter nats takes no credentials yet');
    for (const adapter of ['mqtt', 'redis-pubsub', 'jetstream']) {
      const url = adapter === 'mqtt' ? 'mqtt://a:1883' : adapter === 'jetstream' ? 'nats://a:4222' : 'redis://a:6379';
      refuses(scenarioWith({ cluster: { runtime: 'external', adapter, urls: [url], auth: { query: { t: 'x' } } } }), `cluster.auth.query: adapter ${adapter} cannot send query`, `adapter ${adapter} takes no credentials yet`);
    }
    refuses(ext({ auth: { payload: { token: 'x' } } }), 'cluster.auth.payload: adapter v1 cannot send payload', 'v1 sends headers, query, subprotocols, username, password');
    const sio = (auth: Record<string, unknown>) => scenarioWith({ cluster: { runtime: 'external', adapter: 'socketio', urls: ['https://chat.test:8443'], auth } });
    refuses(sio({ username: 'u' }), 'cluster.auth.username: adapter socketio cannot send username', 'socketio sends headers, query, subprotocols, payload');
  });
  test('socketio: payload is any JSON whose texts are templates ({{jwt}} included), checked like the rest', () => {
    const sio = (auth: Record<string, unknown>) => scenarioWith({ cluster: { runtime: 'external', adapter: 'socketio', urls: ['https://chat.test:8443'], auth } });
    const payload = { token: '{{jwt}}', user: { id: '{{clientId}}', roles: ['chat'] }, v: 2 };
    assert.deepEqual(parse(sio({ jwt, payload, headers: { 'X-Client': '{{clientId}}' }, query: { t: '{{jwt}}' } })).cluster.auth?.payload, payload);
    refuses(sio({ payload: { token: '{{jwt}}' } }), 'cluster.auth.payload.token: {{jwt}} needs auth.jwt', /secretEnv/);
    refuses(sio({ payload: { user: { id: '{{who}}' } } }), 'cluster.auth.payload.user.id: {{who}} is not a template chat-bench knows', 'write {{clientId}}, {{jwt}} or {{env.NAME}}');
    refuses(sio({ payload: 'token' }), 'cluster.auth.payload: "token" is not a mapping', 'write it like { token: "{{jwt}}" }');
  });
});
