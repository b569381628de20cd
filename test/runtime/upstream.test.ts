// Where the fault proxy sends a URL's connections (external runtime and the shared fault proxy).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostPort, upstreamOf } from '../../src/runtime/external';

test('a URL without a port goes to its scheme\'s default port', () => {
  assert.deepEqual(upstreamOf(new URL('ws://chat.example/room')), { host: 'chat.example', port: 80 });
  assert.deepEqual(upstreamOf(new URL('wss://chat.example')), { host: 'chat.example', port: 443 });
  assert.deepEqual(upstreamOf(new URL('nats://127.0.0.1')), { host: '127.0.0.1', port: 4222 });
  assert.deepEqual(upstreamOf(new URL('ws://127.0.0.1:9001')), { host: '127.0.0.1', port: 9001 });
});

test('cluster.hosts maps a name to an address, keeping or replacing the port', () => {
  const hosts = { 'chat.test': '127.0.0.1', 'other.test': '127.0.0.2:9443' };
  assert.deepEqual(upstreamOf(new URL('wss://chat.test:8443'), hosts), { host: '127.0.0.1', port: 8443 });
  assert.deepEqual(upstreamOf(new URL('wss://other.test:8443'), hosts), { host: '127.0.0.2', port: 9443 });
});

test('host:port puts an IPv6 host in brackets', () => {
  assert.equal(hostPort({ host: '127.0.0.1', port: 80 }), '127.0.0.1:80');
  assert.equal(hostPort(upstreamOf(new URL('ws://[::1]:9000'))), '[::1]:9000');
});
