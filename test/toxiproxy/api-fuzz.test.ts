// Issue 11, item 10 and the proxy-API part of "Done means": the real embedded Toxiproxy server
// (its own process, as the CLI runs it) takes a seeded stream of hostile API bodies over HTTP.
// Every bad body gets Toxiproxy's documented answer (400/404/409), nothing is answered 500,
// nothing is written to stderr, the process's memory is back near its level after a warm-up of
// the same mix, and a well-behaved toxiproxy-node-client is still served, bytes still relayed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { Toxiproxy } from 'toxiproxy-node-client';
import { startUpstream, TestClient, portOf, sleep } from './helpers';
import { seededRandom } from '../../src/load/random';
import { MAX_BODY_BYTES } from '../../src/toxiproxy/api';

const MAIN = join(__dirname, '../../src/toxiproxy/toxiproxy-main.js');
const GC_ON_SIGNAL = join(__dirname, '../../../test/support/gc-on-signal.js');
// The warm-up runs the same mix as long as the measured phase, so the heap reaches its working set first.
const WARMUP = 1500;
const HOSTILE = 1500;


interface Case { method: string; path: string; body: string; expect: number[] }

const VALID_TOXIC = '{"name":"fz","type":"latency","stream":"downstream","toxicity":1,"attributes":{"latency":5,"jitter":1}}';

/** One hostile request; `expect` lists the documented answers (never 500). */
function hostileCase(rand: () => number): Case {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const depth = 500 + Math.floor(rand() * 15_000); // beyond V8's stack (~5000) without the bound
  const kind = Math.floor(rand() * 10);
  const toxicPath = '/proxies/p1/toxics';
  switch (kind) {
    case 0: // a valid body cut short: always a syntax error
      return { method: 'POST', path: pick([toxicPath, '/proxies', '/proxies/p1', '/populate']), body: VALID_TOXIC.slice(0, 1 + Math.floor(rand() * (VALID_TOXIC.length - 2))), expect: [400] };
    case 1: // nested far too deep, at the top or inside a field
      return { method: 'POST', path: pick([toxicPath, '/proxies', '/populate', '/proxies/p1/toxics/lat']), body: rand() < 0.5 ? '['.repeat(depth) : `{"attributes":${'{"a":'.repeat(depth)}`, expect: [400] };
    case 2: // types Go cannot unmarshal
      return { method: 'POST', path: toxicPath, body: pick(['{"type":5}', '{"toxicity":"x","type":"latency"}', '{"type":"latency","attributes":{"latency":1.5}}', '{"type":"latency","attributes":{"latency":1e999}}', '{"type":"latency","attributes":[1]}', '[]', '"x"', '{"stream":{}}', '{"type":"latency","toxicity":1e400}']), expect: [400, 409] }; // 409 first when "latency_downstream" exists (Toxiproxy's order)
    case 3: // unknown toxic type or stream
      return { method: 'POST', path: toxicPath, body: pick(['{"type":"down"}', '{"type":"latency","stream":"sideways"}', `{"type":"${'x'.repeat(Math.floor(rand() * 5000))}"}`]), expect: [400] };
    case 4: // something that is not JSON at all
      return { method: 'POST', path: pick([toxicPath, '/proxies', '/populate']), body: pick(['', ' ', 'nul', 'tru', '}', ']', ',', '\u0000', 'x'.repeat(Math.floor(rand() * 2000)), '"\\u12"', '"\\q"', '-', '1.', '1e']), expect: [400] };
    case 5: // proxy bodies with the wrong types (no listen/upstream strings: those would bind, 500 by design)
      return { method: pick(['POST', 'PATCH']), path: '/proxies/p1', body: pick(['{"enabled":"yes"}', '{"listen":5}', '{"upstream":[]}', '{"enabled":1}']), expect: [400] };
    case 6: // conflicts and missing things
      return pick([
        { method: 'POST', path: '/proxies', body: '{"name":"p1","upstream":"127.0.0.1:1"}', expect: [409] },
        { method: 'POST', path: toxicPath, body: '{"name":"lat","type":"latency"}', expect: [409] },
        { method: 'POST', path: '/proxies/nope/toxics', body: VALID_TOXIC, expect: [404] },
        { method: 'GET', path: '/proxies/p1/toxics/nope', body: '', expect: [404] },
        { method: 'POST', path: '/proxies', body: '{"upstream":"127.0.0.1:1"}', expect: [400] },
        { method: 'POST', path: '/populate', body: '[{"name":"x"}]', expect: [400] },
      ]);
    case 7: // random bytes after a valid opening: Go reads the first value only, so 2xx is possible
      return { method: 'POST', path: '/proxies/p1/toxics/lat', body: `{"attributes":{"latency":${Math.floor(rand() * 100)}}}${String.fromCharCode(...Array.from({ length: 20 }, () => Math.floor(rand() * 256)))}`, expect: [200, 400] };
    case 8: // a byte of a valid toxic flipped: a valid toxic (200), a repeated one (409) or a 400
      {
        const at = Math.floor(rand() * VALID_TOXIC.length);
        const body = VALID_TOXIC.slice(0, at) + String.fromCharCode(Math.floor(rand() * 128)) + VALID_TOXIC.slice(at + 1);
        return { method: 'POST', path: toxicPath, body, expect: [200, 400, 409] };
      }
    default: // over the body bound, now and then; otherwise a long string
      return rand() < 0.02
        ? { method: 'POST', path: toxicPath, body: `{"type":"${'y'.repeat((1 << 20) + 10)}"}`, expect: [400] }
        : { method: 'POST', path: toxicPath, body: `{"name":"${'n'.repeat(Math.floor(rand() * 20_000))}","type":"nope"}`, expect: [400] };
  }
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });
/** Requests whose body was over the server's bound (the seed must produce some). */
let overBound = 0;

function send(base: string, c: Case): Promise<{ status: number; text: string }> {
  const length = Buffer.byteLength(c.body);
  // An oversized body is refused on its Content-Length, and the server closes without reading
  // it: writing it anyway races that close (the client's write fails with EPIPE, sometimes
  // before the 400 is read). Its headers go out alone, and the answer is awaited.
  const headersOnly = length > MAX_BODY_BYTES;
  if (headersOnly) overBound++;
  return new Promise((resolve, reject) => {
    const req = request(`${base}${c.path}`, { method: c.method, agent, headers: { 'Content-Length': length } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { if (text.length < 1000) text += d; });
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, text });
        if (headersOnly) req.destroy();
      });
    });
    req.on('error', reject);
    req.setNoDelay(true); // headers and body go out at once, no Nagle/delayed-ACK stall per request
    req.setTimeout(10_000, () => req.destroy(new Error('no answer in 10 s')));
    if (headersOnly) req.flushHeaders();
    else req.end(c.body);
  });
}

const rssKb = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);

/**
 * RSS after a full GC (SIGUSR2, see gc-on-signal.js) and a moment idle: the smallest of a few
 * samples, so garbage not yet collected and pages not yet returned do not count as growth.
 */
async function settledRss(pid: number): Promise<number> {
  let least = Infinity;
  for (let i = 0; i < 4; i++) {
    process.kill(pid, 'SIGUSR2');
    await sleep(250);
    least = Math.min(least, rssKb(pid));
  }
  return least;
}

test('proxy API fuzz: seeded hostile bodies answered 400/404/409, no 500, no stderr, memory back, a good client served', { timeout: 60_000 }, async () => {
  const started = Date.now();
  const upstream = await startUpstream(true);
  const child = spawn(process.execPath, ['--expose-gc', '--require', GC_ON_SIGNAL, MAIN, '--host', '127.0.0.1', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => { out += d; if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]).port); });
      child.once('exit', (code) => reject(new Error(`proxy exited ${code}: ${stderr}`)));
    });
    const base = `http://127.0.0.1:${port}`;
    const tp = new Toxiproxy(base);
    const proxy = await tp.createProxy({ name: 'p1', listen: '127.0.0.1:0', upstream: upstream.address });
    const restore = async () => {
      await tp.reset();
      await proxy.addToxic({ name: 'lat', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 0, jitter: 0 } } as never);
    };
    await restore();

    const rand = seededRandom(0x5eed11);
    const phase = async (count: number, label: string) => {
      for (let i = 0; i < count; i++) {
        const c = hostileCase(rand);
        const r = await send(base, c);
        assert.ok(c.expect.includes(r.status), `${label} request ${i} (seed 0x5eed11): ${c.method} ${c.path} ${JSON.stringify(c.body.slice(0, 80))} → ${r.status} ${r.text.slice(0, 200)}`);
        if (r.status === 400) assert.match(r.text, /^\{"error":".+","status":400(,"proxies":null)?\}\n?$/s); // populate adds "proxies"
        if (i % 500 === 499) await restore(); // toxics a fuzzed body managed to create are removed
      }
      await restore();
    };

    await phase(WARMUP, 'warm-up');
    const before = await settledRss(child.pid!);
    await phase(HOSTILE, 'hostile');
    const after = await settledRss(child.pid!);
    assert.ok(overBound > 0, 'the seeded mix sent bodies over the bound (refused on Content-Length)');
    // The warm-up ran the same mix, so the heap already holds its working set: a leak shows as
    // growth beyond that, allocator noise does not reach 10 %.
    assert.ok(after <= before * 1.1, `RSS ${before} kB → ${after} kB after ${HOSTILE} hostile requests`);

    // A well-behaved client is still served: API calls work and bytes go through the proxy.
    const p1 = await tp.get('p1');
    const toxic = await p1.getToxic('lat');
    await toxic.update({ attributes: { latency: 1, jitter: 0 }, toxicity: 1 } as never);
    const client = await TestClient.connect(portOf(p1.listen));
    client.socket.write('still served');
    for (let i = 0; i < 100 && Buffer.concat(client.chunks.map((c) => c.data)).toString() !== 'still served'; i++) await sleep(20);
    assert.equal(Buffer.concat(client.chunks.map((c) => c.data)).toString(), 'still served');
    client.destroy();
    assert.equal(stderr, '', 'nothing on stderr: no stack traces, no warnings');
    assert.ok(Date.now() - started < 30_000, `took ${Date.now() - started} ms`);
    process.stdout.write(`# api fuzz: ${WARMUP + HOSTILE} requests (${overBound} over the body bound), RSS ${before} kB → ${after} kB, ${Date.now() - started} ms\n`);
  } finally {
    agent.destroy();
    child.kill('SIGTERM');
    await new Promise((r) => { if (child.exitCode !== null) r(null); else child.once('exit', r); });
    await upstream.close();
  }
});
