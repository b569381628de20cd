// Benchmark of the embedded Toxiproxy-compatible proxy against a direct connection.
//   node build/bench/proxy.js [--runs 5] [--connections 50] [--rounds 200] [--mb 128]
//                             [--echo-connections 2000] [--echo-rate 10] [--echo-seconds 10] [--only sequential|concurrent]
// The proxy runs in its own process (build/src/toxiproxy/toxiproxy-main.js), the echo/sink server in
// another, so the numbers are what a load driver would see. Prints medians over the runs.
// Two loads: sequential round trips on a few connections plus one bulk transfer, and the
// concurrent echo load (many connections, each sending open-loop at a fixed rate: what a
// chat-bench run puts through its client proxies), direct and through the proxy in the same
// run, alternating which goes first.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Toxiproxy } from 'toxiproxy-node-client';

// Echo server (round trips) and sink server (bulk: 8-byte length header, answers "k" when all
// bytes arrived), in a child process of their own.
const SERVERS_SOURCE = `
const net = require('net');
const echo = net.createServer({ noDelay: true }, (s) => { s.on('error', () => {}); s.pipe(s); });
const sink = net.createServer({ noDelay: true }, (s) => {
  s.on('error', () => {});
  let want = -1, got = 0, head = Buffer.alloc(0);
  s.on('data', (d) => {
    if (want < 0) { head = Buffer.concat([head, d]); if (head.length < 8) return; want = Number(head.readBigUInt64BE(0)); d = head.subarray(8); }
    got += d.length;
    if (got >= want) s.write('k');
  });
});
echo.listen(0, '127.0.0.1', () => sink.listen(0, '127.0.0.1', () =>
  process.stdout.write(JSON.stringify({ echo: echo.address().port, sink: sink.address().port }) + '\\n')));
process.on('SIGTERM', () => process.exit(0));
`;

async function spawnWithLine(args: string[]): Promise<{ child: ChildProcess; line: Record<string, number> }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0]);
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
  return { child, line: JSON.parse(line) };
}

async function open(port: number): Promise<Socket> {
  const s = connect({ port, host: '127.0.0.1', noDelay: true });
  await once(s, 'connect');
  return s;
}

/** Round-trip times (ms) of `rounds` sequential 64-byte echoes on each of `connections` sockets at once. */
async function roundTrips(port: number, connections: number, rounds: number): Promise<number[]> {
  const message = Buffer.alloc(64, 'x');
  const sockets = await Promise.all(Array.from({ length: connections }, () => open(port)));
  const rtts: number[] = [];
  await Promise.all(
    sockets.map(
      (s) =>
        new Promise<void>((resolve) => {
          let done = 0;
          let got = 0;
          let t0 = performance.now();
          s.on('data', (d: Buffer) => {
            got += d.length;
            if (got < message.length) return;
            got -= message.length;
            rtts.push(performance.now() - t0);
            if (++done === rounds) return resolve();
            t0 = performance.now();
            s.write(message);
          });
          s.write(message);
        }),
    ),
  );
  for (const s of sockets) s.destroy();
  return rtts;
}

/** MB/s of pushing `megabytes` through one connection to the sink (until it confirms receipt). */
async function bulk(port: number, megabytes: number): Promise<number> {
  const s = await open(port);
  const total = megabytes * 1024 * 1024;
  const block = Buffer.alloc(1024 * 1024, 7);
  const header = Buffer.alloc(8);
  header.writeBigUInt64BE(BigInt(total));
  const t0 = performance.now();
  const confirmed = once(s, 'data');
  s.write(header);
  let sent = 0;
  await new Promise<void>((resolve) => {
    const pump = () => {
      while (sent < total) {
        sent += block.length;
        if (!s.write(block)) return void s.once('drain', pump);
      }
      resolve();
    };
    pump();
  });
  await confirmed;
  const seconds = (performance.now() - t0) / 1000;
  s.destroy();
  return total / 1e6 / seconds;
}

/** Opens `count` connections, a batch at a time (a listener's accept backlog is finite). */
async function openMany(port: number, count: number): Promise<Socket[]> {
  const sockets: Socket[] = [];
  while (sockets.length < count) {
    const batch = Math.min(200, count - sockets.length);
    sockets.push(...await Promise.all(Array.from({ length: batch }, () => open(port))));
  }
  return sockets;
}

interface EchoLoad { rtts: number[]; sent: number; received: number; seconds: number }

/**
 * Open-loop echo load: every one of `connections` sockets sends a 64-byte message `rate` times
 * a second for `seconds` (phases spread evenly), whatever the answers do; the round-trip time of
 * every message (write to its echo) is kept. Echoes still missing 5 s after the end count as not received.
 */
async function concurrentEchoes(port: number, connections: number, rate: number, seconds: number): Promise<EchoLoad> {
  const message = Buffer.alloc(64, 'x');
  const sockets = await openMany(port, connections);
  const sentAt: number[][] = sockets.map(() => []);
  const head = new Array<number>(connections).fill(0);
  const bytes = new Array<number>(connections).fill(0);
  const rtts: number[] = [];
  let received = 0;
  let allIn: (() => void) | null = null;
  let sent = 0;
  sockets.forEach((s, i) => s.on('data', (d: Buffer) => {
    const now = performance.now();
    bytes[i] += d.length;
    while (bytes[i] >= message.length) {
      bytes[i] -= message.length;
      rtts.push(now - sentAt[i][head[i]++]);
      received++;
    }
    if (allIn && received === sent) allIn();
  }));
  const intervalMs = 1000 / rate;
  const t0 = performance.now();
  const tEnd = t0 + seconds * 1000;
  // connection k is due at t0 + (k / connections + m) · interval: one pointer walks them in due order
  let k = 0;
  let round = 0;
  const dueAt = () => t0 + (k / connections + round) * intervalMs;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now();
      for (let due = dueAt(); due <= now && due < tEnd; due = dueAt()) {
        sentAt[k].push(performance.now());
        sockets[k].write(message);
        sent++;
        if (++k === connections) { k = 0; round++; }
      }
      if (now >= tEnd) { clearInterval(timer); resolve(); }
    }, 2);
  });
  const elapsed = (performance.now() - t0) / 1000;
  if (received < sent) {
    await new Promise<void>((resolve) => {
      const giveUp = setTimeout(resolve, 5000);
      allIn = () => { clearTimeout(giveUp); resolve(); };
    });
  }
  for (const s of sockets) s.destroy();
  return { rtts, sent, received, seconds: elapsed };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Row {
  p50: number[];
  p99: number[];
  mbps: number[];
  cpuUs: number[];
}

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux). */
function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in USER_HZ (100/s)
  } catch {
    return NaN;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '5' },
      connections: { type: 'string', default: '50' },
      rounds: { type: 'string', default: '200' },
      mb: { type: 'string', default: '128' },
      'echo-connections': { type: 'string', default: '2000' },
      'echo-rate': { type: 'string', default: '10' },
      'echo-seconds': { type: 'string', default: '10' },
      only: { type: 'string' },
    },
  });
  const doSequential = values.only !== 'concurrent';
  const doConcurrent = values.only !== 'sequential';
  const echoConnections = Number(values['echo-connections']);
  const echoRate = Number(values['echo-rate']);
  const echoSeconds = Number(values['echo-seconds']);
  const runs = Number(values.runs);
  const connections = Number(values.connections);
  const rounds = Number(values.rounds);
  const mb = Number(values.mb);

  const servers = await spawnWithLine(['-e', SERVERS_SOURCE]);
  const proxyProc = await spawnWithLine([join(__dirname, '../src/toxiproxy/toxiproxy-main.js'), '--host', '127.0.0.1', '--port', '0']);
  // Killed or interrupted, the benchmark must not leave its servers behind.
  const killChildren = () => { proxyProc.child.kill('SIGKILL'); servers.child.kill('SIGKILL'); };
  process.once('exit', killChildren);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => { killChildren(); process.exit(130); });
  try {
    const tp = new Toxiproxy(`http://127.0.0.1:${proxyProc.line.port}`);
    const mk = async (name: string, port: number) =>
      Number((await tp.createProxy({ name, listen: '127.0.0.1:0', upstream: `127.0.0.1:${port}` })).listen.split(':')[1]);
    const paths = {
      direct: { echo: servers.line.echo, sink: servers.line.sink },
      'proxy (no toxic)': { echo: await mk('echo', servers.line.echo), sink: await mk('sink', servers.line.sink) },
      'proxy + latency 0 ms': { echo: await mk('echo-toxic', servers.line.echo), sink: await mk('sink-toxic', servers.line.sink) },
    };
    // A latency toxic of 0 ms puts every chunk through the toxic chain (the slow path) without delaying it.
    for (const name of ['echo-toxic', 'sink-toxic']) {
      for (const stream of ['upstream', 'downstream'] as const) {
        await (await tp.get(name)).addToxic({ name: `zero-${stream}`, type: 'latency', stream, toxicity: 1, attributes: { latency: 0, jitter: 0 } });
      }
    }
    const results: Record<string, Row> = {};
    for (const name of Object.keys(paths)) results[name] = { p50: [], p99: [], mbps: [], cpuUs: [] };
    const concurrent: Record<string, { p50: number[]; p99: number[]; p999: number[]; rate: number[]; missing: number[]; cpuUs: number[] }> = {};
    for (const name of ['direct', 'proxy (no toxic)']) concurrent[name] = { p50: [], p99: [], p999: [], rate: [], missing: [], cpuUs: [] };
    const loads: number[] = [];
    await roundTrips(paths.direct.echo, connections, 20); // warm-up
    for (let run = 0; run < runs; run++) {
      if (doSequential) {
        for (const [name, ports] of Object.entries(paths)) {
          const cpuBefore = cpuMsOf(proxyProc.child.pid!);
          const rtts = (await roundTrips(ports.echo, connections, rounds)).sort((a, b) => a - b);
          // Each round trip is two relayed messages (request up, echo down).
          results[name].cpuUs.push(((cpuMsOf(proxyProc.child.pid!) - cpuBefore) * 1000) / (rtts.length * 2));
          results[name].p50.push(percentile(rtts, 50));
          results[name].p99.push(percentile(rtts, 99));
          results[name].mbps.push(await bulk(ports.sink, mb));
        }
      }
      if (doConcurrent) {
        // direct and proxy in the same run, alternating which goes first (machine drift favours neither)
        const order = run % 2 === 0 ? ['direct', 'proxy (no toxic)'] as const : ['proxy (no toxic)', 'direct'] as const;
        for (const name of order) {
          const cpuBefore = cpuMsOf(proxyProc.child.pid!);
          const load = await concurrentEchoes(paths[name].echo, echoConnections, echoRate, echoSeconds);
          const cpuMs = cpuMsOf(proxyProc.child.pid!) - cpuBefore;
          const rtts = load.rtts.sort((a, b) => a - b);
          const c = concurrent[name];
          c.p50.push(percentile(rtts, 50));
          c.p99.push(percentile(rtts, 99));
          c.p999.push(percentile(rtts, 99.9));
          c.rate.push(load.sent / load.seconds);
          c.missing.push(load.sent - load.received);
          // each echo is two relayed messages (request up, echo down)
          c.cpuUs.push((cpuMs * 1000) / (load.received * 2));
        }
      }
      loads.push(loadavg()[0]);
      process.stderr.write(`run ${run + 1}/${runs} done (load average ${loadavg()[0].toFixed(1)})\n`);
    }
    const direct = results.direct;
    const pad = (s: string, n: number) => s.padEnd(n);
    const loadNote = `load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} during the runs`;
    if (doSequential) {
      console.log(`\nembedded toxiproxy vs direct: ${connections} connection(s) x ${rounds} sequential round trips of 64 B each, bulk ${mb} MB on 1 connection; medians of ${runs} runs`);
      console.log(pad('path', 24) + pad('rtt p50', 12) + pad('rtt p99', 12) + pad('added p50', 12) + pad('added p99', 12) + pad('proxy CPU/msg', 15) + 'bulk MB/s');
      for (const [name, r] of Object.entries(results)) {
        const p50 = median(r.p50);
        const p99 = median(r.p99);
        const added = (v: number, base: number) => (name === 'direct' ? '-' : `${(v - base) >= 0 ? '+' : ''}${(v - base).toFixed(3)}`);
        console.log(
          pad(name, 24) +
            pad(p50.toFixed(3), 12) +
            pad(p99.toFixed(3), 12) +
            pad(added(p50, median(direct.p50)), 12) +
            pad(added(p99, median(direct.p99)), 12) +
            pad(name === 'direct' ? '-' : `${median(r.cpuUs).toFixed(1)} µs`, 15) +
            median(r.mbps).toFixed(0),
        );
      }
      console.log(`(times in ms; proxy CPU/msg = CPU of the proxy process per relayed 64-byte message; ${loadNote})`);
    }
    if (doConcurrent) {
      console.log(`\nconcurrent echo load: ${echoConnections} connections x ${echoRate} echoes/s of 64 B each (open loop), ${echoSeconds} s; direct and through the proxy in each run; medians of ${runs} runs`);
      console.log(pad('path', 24) + pad('echoes/s', 11) + pad('rtt p50', 12) + pad('rtt p99', 12) + pad('rtt p99.9', 12) + pad('missing', 9) + 'proxy CPU/msg');
      for (const [name, c] of Object.entries(concurrent)) {
        console.log(
          pad(name, 24) + pad(Math.round(median(c.rate)).toString(), 11) + pad(median(c.p50).toFixed(3), 12) + pad(median(c.p99).toFixed(3), 12) +
            pad(median(c.p999).toFixed(3), 12) + pad(Math.max(...c.missing).toString(), 9) + (name === 'direct' ? '-' : `${median(c.cpuUs).toFixed(1)} µs`),
        );
      }
      console.log(`(times in ms from each message's write to its echo; missing = echoes not back 5 s after the end, worst run; proxy CPU/msg = CPU of the proxy process per relayed message; ${loadNote})`);
    }
  } finally {
    proxyProc.child.kill('SIGTERM');
    servers.child.kill('SIGTERM');
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
