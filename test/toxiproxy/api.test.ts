// The HTTP API, driven through toxiproxy-node-client (what chat-bench and testcontainers use)
// and raw fetch where the exact status, headers and body matter.
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ToxiproxyError, type Toxiproxy } from 'toxiproxy-node-client';
import { portOf, raw, startHarness, startUpstream, type Harness, type TestUpstream } from './helpers';

describe('toxiproxy API', () => {
  let h: Harness;
  let tp: Toxiproxy;
  let url: string;
  let upstream: TestUpstream;

  before(async () => {
    h = await startHarness();
    tp = h.toxiproxy;
    url = h.server.url;
    upstream = await startUpstream(true);
  });
  after(async () => {
    await h.close();
    await upstream.close();
  });

  test('GET /version answers exactly like Toxiproxy 2.12.0', async () => {
    assert.equal(await tp.getVersion(), '{"version": "2.12.0"}\n');
    const res = await raw(`${url}/version`, 'GET');
    assert.equal(res.headers.get('content-type'), 'application/json;charset=utf-8');
    assert.match(res.headers.get('x-toxiproxy-request-id') ?? '', /^[0-9a-v]{20}$/);
  });

  test('POST /proxies creates (201), binds port 0 to a real port and reports it', async () => {
    const res = await raw(`${url}/proxies`, 'POST', JSON.stringify({ name: 'created', listen: '127.0.0.1:0', upstream: upstream.address }));
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.ok(res.headers.get('x-toxiproxy-request-id'));
    const body = JSON.parse(res.text);
    assert.deepEqual(Object.keys(body), ['name', 'listen', 'upstream', 'enabled', 'Logger', 'toxics']);
    assert.match(body.listen, /^127\.0\.0\.1:\d+$/);
    assert.notEqual(portOf(body.listen), 0);
    assert.equal(body.enabled, true);
    assert.deepEqual(body.toxics, []);
    assert.ok(!res.text.endsWith('\n'), 'success bodies have no trailing newline');
    await tp.get('created').then((p) => p.remove());
  });

  test('names with ":" and ">" work through the client (verbatim paths) and percent-encoded paths', async () => {
    const names = ['clients:node-1', 'link:node-1>node-2'];
    for (const name of names) await tp.createProxy({ name, listen: '127.0.0.1:0', upstream: upstream.address });
    const all = await tp.getAll();
    assert.deepEqual(Object.keys(all).sort(), names);
    const link = await tp.get('link:node-1>node-2');
    assert.equal(link.name, 'link:node-1>node-2');
    const encoded = await raw(`${url}/proxies/${encodeURIComponent('link:node-1>node-2')}`, 'GET');
    assert.equal(encoded.status, 200);
    assert.ok(encoded.text.includes('link:node-1\\u003enode-2'), 'Go escapes > in JSON strings');
    const toxic = await link.addToxic({ name: 'lat', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 5, jitter: 0 } });
    assert.equal((await link.getToxic('lat')).name, 'lat');
    await toxic.update({ ...toxic.toJson(), attributes: { latency: 7, jitter: 0 } });
    await toxic.remove();
    for (const name of names) await (await tp.get(name)).remove();
    assert.deepEqual(await tp.getAll(), {});
  });

  test('GET /proxies is {} when empty and keys are sorted', async () => {
    assert.equal((await raw(`${url}/proxies`, 'GET')).text, '{}');
    for (const name of ['b', 'a', 'c']) await tp.createProxy({ name, listen: '127.0.0.1:0', upstream: upstream.address });
    assert.deepEqual(Object.keys(JSON.parse((await raw(`${url}/proxies`, 'GET')).text)), ['a', 'b', 'c']);
    for (const name of ['a', 'b', 'c']) await (await tp.get(name)).remove();
  });

  test('update: disable keeps the address, enable rebinds the same port; PATCH works too', async () => {
    const proxy = await tp.createProxy({ name: 'upd', listen: '127.0.0.1:0', upstream: upstream.address });
    const off = await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    assert.equal(off.enabled, false);
    assert.equal(off.listen, proxy.listen);
    const on = await off.update({ enabled: true, listen: off.listen, upstream: off.upstream });
    assert.equal(on.enabled, true);
    assert.equal(on.listen, proxy.listen);
    const patched = await raw(`${url}/proxies/upd`, 'PATCH', '{"upstream":"somehost:12345"}');
    assert.equal(patched.status, 200);
    assert.equal(JSON.parse(patched.text).upstream, 'somehost:12345', 'the upstream is never resolved by the API');
    await proxy.remove();
  });

  test('a proxy created disabled is not bound and keeps its listen string verbatim', async () => {
    const res = await raw(`${url}/proxies`, 'POST', JSON.stringify({ name: 'off', listen: 'localhost:0', upstream: upstream.address, enabled: false }));
    assert.equal(res.status, 201);
    assert.equal(JSON.parse(res.text).listen, 'localhost:0');
    const on = await (await tp.get('off')).update({ enabled: true, listen: 'localhost:0', upstream: upstream.address });
    assert.match(on.listen, /^127\.0\.0\.1:\d+$/);
    await on.remove();
  });

  test('0.0.0.0 and :N listen dual-stack and report [::]:N', async () => {
    const res = await raw(`${url}/proxies`, 'POST', JSON.stringify({ name: 'wild', listen: '0.0.0.0:0', upstream: upstream.address }));
    assert.match(JSON.parse(res.text).listen, /^\[::\]:\d+$|^0\.0\.0\.0:\d+$/);
    await (await tp.get('wild')).remove();
  });

  test('testcontainers flow: listen 0.0.0.0:N, setEnabled(false/true) via update with the same listen', async () => {
    const probe = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => probe.once('listening', r));
    const free = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const proxy = await tp.createProxy({ name: 'tc', listen: `0.0.0.0:${free}`, upstream: upstream.address });
    assert.equal(portOf(proxy.listen), free);
    const all = await tp.getAll();
    assert.equal(portOf(all.tc.listen), free, 'testcontainers reads ports back from GET /proxies');
    const off = await proxy.update({ enabled: false, listen: `0.0.0.0:${free}`, upstream: upstream.address });
    assert.equal(off.enabled, false);
    const on = await proxy.update({ enabled: true, listen: `0.0.0.0:${free}`, upstream: upstream.address });
    assert.equal(on.enabled, true);
    assert.equal(portOf(on.listen), free);
    await proxy.remove();
  });

  test('DELETE /proxies/{p} answers 204, then the proxy is gone (404)', async () => {
    await tp.createProxy({ name: 'gone', listen: '127.0.0.1:0', upstream: upstream.address });
    const del = await raw(`${url}/proxies/gone`, 'DELETE');
    assert.equal(del.status, 204);
    assert.equal(del.text, '');
    const get = await raw(`${url}/proxies/gone`, 'GET');
    assert.equal(get.status, 404);
    assert.equal(get.text, '{"error":"proxy not found","status":404}\n');
    assert.equal(get.headers.get('content-type'), 'text/plain; charset=utf-8');
    await assert.rejects(tp.get('gone'), (e: Error) => e instanceof ToxiproxyError && e.message === 'Request failed with status code 404');
  });

  test('toxics: defaults, order, show, merge-update, delete', async () => {
    const proxy = await tp.createProxy({ name: 'tox', listen: '127.0.0.1:0', upstream: upstream.address });
    const created = await raw(`${url}/proxies/tox/toxics`, 'POST', '{"type":"latency","attributes":{"latency":50}}');
    assert.equal(created.status, 200, 'toxic create answers 200, not 201');
    assert.equal(created.text, '{"attributes":{"latency":50,"jitter":0},"name":"latency_downstream","type":"latency","stream":"downstream","toxicity":1}');
    await proxy.addToxic({ name: 'up', type: 'slicer', stream: 'upstream', toxicity: 0.1, attributes: { average_size: 10, size_variation: 2, delay: 0 } });
    await raw(`${url}/proxies/tox/toxics`, 'POST', '{"type":"noop","stream":"UpStream"}');
    const list = JSON.parse((await raw(`${url}/proxies/tox/toxics`, 'GET')).text);
    assert.deepEqual(
      list.map((t: { name: string; stream: string }) => `${t.name}/${t.stream}`),
      ['up/upstream', 'noop_UpStream/UpStream', 'latency_downstream/downstream'],
      'upstream toxics first, then downstream, in insertion order; stream kept verbatim',
    );
    assert.equal(list[0].toxicity, 0.1, 'float32 toxicity prints like Go');
    const shown = await proxy.getToxic<{ latency: number; jitter: number }>('latency_downstream');
    assert.deepEqual(shown.attributes, { latency: 50, jitter: 0 });
    const upd = await raw(`${url}/proxies/tox/toxics/latency_downstream`, 'PATCH', '{"attributes":{"jitter":5},"name":"ignored","stream":"upstream"}');
    assert.equal(upd.text, '{"attributes":{"latency":50,"jitter":5},"name":"latency_downstream","type":"latency","stream":"downstream","toxicity":1}');
    const viaClient = await shown.update({ ...shown.toJson(), toxicity: 0.5, attributes: { latency: 60, jitter: 5 } });
    assert.equal(viaClient.toxicity, 0.5);
    assert.deepEqual(viaClient.attributes, { latency: 60, jitter: 5 });
    const full = JSON.parse((await raw(`${url}/proxies/tox`, 'GET')).text);
    assert.equal(full.toxics.length, 3);
    assert.equal((await raw(`${url}/proxies/tox/toxics/noop_UpStream`, 'DELETE')).status, 204);
    await viaClient.remove();
    assert.equal((await raw(`${url}/proxies/tox/toxics/latency_downstream`, 'GET')).text, '{"error":"toxic not found","status":404}\n');
    assert.equal((await raw(`${url}/proxies/tox/toxics/latency_downstream`, 'DELETE')).status, 404);
    await proxy.remove();
    assert.equal((await raw(`${url}/proxies/tox/toxics`, 'GET')).status, 404);
  });

  test('POST /populate creates, keeps identical proxies, replaces changed ones', async () => {
    const made = await tp.populate([
      { name: 'p1', listen: '127.0.0.1:0', upstream: upstream.address },
      { name: 'p2', listen: '127.0.0.1:0', upstream: upstream.address, enabled: false },
    ]);
    assert.equal(made.p1.enabled, true);
    assert.equal(made.p2.enabled, false);
    await made.p1.addToxic({ name: 'keep', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 0, jitter: 0 } });
    const again = await raw(`${url}/populate`, 'POST', JSON.stringify([{ name: 'p1', listen: made.p1.listen, upstream: upstream.address }]));
    assert.equal(again.status, 201);
    assert.equal(JSON.parse(again.text).proxies[0].toxics.length, 1, 'an identical proxy is kept with its toxics');
    const replaced = await raw(`${url}/populate`, 'POST', JSON.stringify([{ name: 'p1', listen: made.p1.listen, upstream: '127.0.0.1:1' }]));
    assert.deepEqual(JSON.parse(replaced.text).proxies[0].toxics, [], 'a changed proxy is replaced without toxics');
    const empty = await raw(`${url}/populate`, 'POST', '[]');
    assert.equal(empty.text, '{"proxies":null}');
    const invalid = await raw(`${url}/populate`, 'POST', JSON.stringify([{ name: 'p3', upstream: 'x:1' }, { upstream: 'x:1' }]));
    assert.equal(invalid.status, 400);
    assert.equal(invalid.text, '{"error":"missing required field: name at proxy 2","status":400,"proxies":null}');
    assert.equal((await raw(`${url}/proxies/p3`, 'GET')).status, 404, 'nothing is created when one entry is invalid');
    for (const name of ['p1', 'p2']) await (await tp.get(name)).remove();
  });

  test('POST /populate stops at the first bind failure with 500 and what it created', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    const busy = (blocker.address() as AddressInfo).port;
    const res = await raw(
      `${url}/populate`,
      'POST',
      JSON.stringify([
        { name: 'ok', listen: '127.0.0.1:0', upstream: upstream.address },
        { name: 'busy', listen: `127.0.0.1:${busy}`, upstream: upstream.address },
      ]),
    );
    assert.equal(res.status, 500);
    const body = JSON.parse(res.text);
    assert.equal(body.error, `listen tcp 127.0.0.1:${busy}: bind: address already in use`);
    assert.deepEqual(body.proxies.map((p: { name: string }) => p.name), ['ok']);
    await (await tp.get('ok')).remove();
    blocker.close();
  });

  test('POST /reset re-enables proxies and removes every toxic', async () => {
    const proxy = await tp.createProxy({ name: 'rst', listen: '127.0.0.1:0', upstream: upstream.address });
    await proxy.addToxic({ name: 'l', type: 'latency', stream: 'upstream', toxicity: 1, attributes: { latency: 10, jitter: 0 } });
    await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    await tp.reset();
    const after = JSON.parse((await raw(`${url}/proxies/rst`, 'GET')).text);
    assert.equal(after.enabled, true);
    assert.equal(after.listen, proxy.listen);
    assert.deepEqual(after.toxics, []);
    assert.equal((await raw(`${url}/reset`, 'POST')).status, 204);
    await proxy.remove();
  });

  describe('bad input gets Toxiproxy status and body, never a crash', () => {
    before(async () => {
      await tp.createProxy({ name: 'err', listen: '127.0.0.1:0', upstream: upstream.address });
      await raw(`${url}/proxies/err/toxics`, 'POST', '{"name":"dup","type":"noop"}');
    });

    const cases: [string, string, string, string | undefined, number, string][] = [
      ['unknown toxic type', 'POST', '/proxies/err/toxics', '{"type":"down"}', 400, '{"error":"invalid toxic type","status":400}\n'],
      ['invalid stream', 'POST', '/proxies/err/toxics', '{"type":"latency","stream":"sideways"}', 400, '{"error":"stream was invalid, can be either upstream or downstream","status":400}\n'],
      ['duplicate toxic (names are unique across streams)', 'POST', '/proxies/err/toxics', '{"name":"dup","type":"latency","stream":"upstream"}', 409, '{"error":"toxic already exists","status":409}\n'],
      ['fractional attribute', 'POST', '/proxies/err/toxics', '{"type":"latency","attributes":{"latency":1.5}}', 400, '{"error":"bad request body: json: cannot unmarshal number 1.5 into Go struct field LatencyToxic.attributes.latency of type int64","status":400}\n'],
      ['toxic JSON syntax error', 'POST', '/proxies/err/toxics', '{"type":', 400, '{"error":"bad request body: unexpected EOF","status":400}\n'],
      ['toxicity of the wrong type', 'POST', '/proxies/err/toxics', '{"type":"noop","toxicity":"all"}', 400, '{"error":"bad request body: json: cannot unmarshal string into Go struct field ToxicWrapper.toxicity of type float32","status":400}\n'],
      ['toxic on a missing proxy', 'POST', '/proxies/nope/toxics', '{"type":"noop"}', 404, '{"error":"proxy not found","status":404}\n'],
      ['update of a missing toxic', 'POST', '/proxies/err/toxics/nope', '{}', 404, '{"error":"toxic not found","status":404}\n'],
      ['bad JSON', 'POST', '/proxies', '{bad', 400, '{"error":"bad request body: invalid character \'b\' looking for beginning of object key string","status":400}\n'],
      ['empty body', 'POST', '/proxies', undefined, 400, '{"error":"bad request body: EOF","status":400}\n'],
      ['body of the wrong type', 'POST', '/proxies', '[1]', 400, '{"error":"bad request body: json: cannot unmarshal array into Go value of type toxiproxy.Proxy","status":400}\n'],
      ['missing name', 'POST', '/proxies', '{"upstream":"x:1"}', 400, '{"error":"missing required field: name","status":400}\n'],
      ['missing upstream', 'POST', '/proxies', '{"name":"x"}', 400, '{"error":"missing required field: upstream","status":400}\n'],
      ['duplicate proxy', 'POST', '/proxies', '{"name":"err","upstream":"x:1","listen":"127.0.0.1:0"}', 409, '{"error":"proxy already exists","status":409}\n'],
      ['missing proxy', 'GET', '/proxies/nope', undefined, 404, '{"error":"proxy not found","status":404}\n'],
      ['listen address without port', 'POST', '/proxies', '{"name":"np","upstream":"x:1","listen":"nonsense"}', 500, '{"error":"listen tcp: address nonsense: missing port in address","status":500}\n'],
      ['update with an unresolvable listen', 'PATCH', '/proxies/err', '{"listen":"nonsense"}', 500, '{"error":"address nonsense: missing port in address","status":500}\n'],
      ['unknown path', 'GET', '/nope', undefined, 404, '404 page not found\n'],
      ['trailing slash', 'GET', '/proxies/', undefined, 404, '404 page not found\n'],
      ['wrong method', 'PUT', '/proxies', '{}', 405, ''],
      ['wrong method on version', 'POST', '/version', undefined, 405, ''],
    ];
    for (const [what, method, path, body, status, text] of cases) {
      test(what, async () => {
        const res = await raw(`${url}${path}`, method, body);
        assert.equal(res.status, status);
        assert.equal(res.text, text);
      });
    }

    test('occupied listen port: 500 with Go\'s bind error', async () => {
      const blocker = createServer().listen(0, '127.0.0.1');
      await new Promise((r) => blocker.once('listening', r));
      const busy = (blocker.address() as AddressInfo).port;
      const res = await raw(`${url}/proxies`, 'POST', JSON.stringify({ name: 'busy', listen: `127.0.0.1:${busy}`, upstream: 'x:1' }));
      blocker.close();
      assert.equal(res.status, 500);
      assert.equal(res.text, `{"error":"listen tcp 127.0.0.1:${busy}: bind: address already in use","status":500}\n`);
      assert.equal((await raw(`${url}/proxies/busy`, 'GET')).status, 404, 'a proxy that failed to bind is not kept');
    });

    test('browsers are refused (403)', async () => {
      const res = await raw(`${url}/proxies`, 'GET', undefined, { 'User-Agent': 'Mozilla/5.0 (X11)' });
      assert.equal(res.status, 403);
      assert.equal(res.text, 'User agent not allowed\n');
    });

    test('client surfaces errors as ToxiproxyError with the status', async () => {
      await assert.rejects(
        tp.createProxy({ name: 'err', listen: '127.0.0.1:0', upstream: 'x:1' }),
        (e: Error) => e instanceof ToxiproxyError && e.message === 'Request failed with status code 409',
      );
    });

    test('the server still works after all of that', async () => {
      assert.equal((await raw(`${url}/proxies/err`, 'GET')).status, 200);
    });
  });
});
