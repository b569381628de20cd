// The bundled image's build context holds only what the entry points require at run time
// (no engine needed: this reads the compiled tree).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { collectContext } from '../../src/runtime/docker/context';
import { compiledRoot } from '../../src/runtime/docker/image';

const root = compiledRoot(); // build/ here; dist/ when installed
const brokerMain = join(root, 'reference-broker', 'main.js');
const toxiproxyMain = join(root, 'src', 'toxiproxy', 'toxiproxy-main.js');

test('the broker needs ws and nothing else from node_modules; the Toxiproxy server needs nothing', () => {
  assert.deepEqual(Object.keys(collectContext(root, [brokerMain], '').packages), ['ws']);
  assert.deepEqual(Object.keys(collectContext(root, [toxiproxyMain], '').packages), []);
});

test('only compiled files the entry points reach go in, never the CLI, tests or the docker runtime', () => {
  const { files } = collectContext(root, [brokerMain, toxiproxyMain], '');
  assert.ok(files.includes('reference-broker/main.js') && files.includes('src/toxiproxy/toxiproxy-main.js'));
  assert.ok(files.includes('src/protocol/codec.js'), 'relative requires are followed');
  for (const f of files) {
    assert.ok(/^(src|reference-broker)\//.test(f) && f.endsWith('.js'), f);
    assert.ok(!/^(test|bench)\/|cli\.js$|runtime\/docker/.test(f), f);
  }
});

test('the hash (the image tag) is stable and changes with any input', () => {
  const a = collectContext(root, [brokerMain], 'base@sha256:1');
  assert.match(a.hash, /^[0-9a-f]{16}$/);
  assert.equal(collectContext(root, [brokerMain], 'base@sha256:1').hash, a.hash);
  assert.notEqual(collectContext(root, [brokerMain], 'base@sha256:2').hash, a.hash);
  assert.notEqual(collectContext(root, [brokerMain, toxiproxyMain], 'base@sha256:1').hash, a.hash);
});
