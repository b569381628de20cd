#!/usr/bin/env node
// A toy chat server speaking a tiny JSON protocol over plain TCP, one JSON object per line.
// It exists so that examples/toy-adapter/adapter.js has something real to talk to; it is not
// part of chat-bench. Channels keep every message (in memory) with a serial 1, 2, 3 ...
//
//   client → server                               server → client
//   {"t":"sub","ch":C}                            {"t":"subd","ch":C,"at":S,"resumed":false}   S = newest serial
//   {"t":"sub","ch":C,"from":F}                   {"t":"subd","ch":C,"at":S,"resumed":true}, then every message after F
//   {"t":"pub","ch":C,"id":K,"d":{...}}           {"t":"ack","id":K,"s":N}   (the same K again: stored once, same N)
//                                                 {"t":"msg","ch":C,"s":N,"id":K,"d":{...}} to every subscriber of C
//   {"t":"ping"}                                  {"t":"pong"}
//   anything else                                 {"t":"err","code":"bad_request","msg":"..."}
//
// Usage: node server.js [--port 7400] [--drop-every N]
//   --drop-every N: misbehave on purpose, skipping every Nth live delivery (the message is stored
//   and acked, one subscriber just never gets it): chat-bench must report it lost.
// Prints "listening PORT" when ready; on SIGTERM/SIGINT prints "stats {...}" and exits.
'use strict';
const net = require('node:net');

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const port = option('--port', 7400);
const dropEvery = option('--drop-every', 0);

/** channel name → { log: [msg line, ...] (serial = index + 1), serialOf: key → serial, subscribers: Set } */
const channels = new Map();
const stats = { published: 0, retried: 0, delivered: 0, dropped: 0, connections: 0 };
let liveDeliveries = 0;

function channel(name) {
  let c = channels.get(name);
  if (!c) channels.set(name, c = { log: [], serialOf: new Map(), subscribers: new Set() });
  return c;
}

function send(socket, line) {
  if (!socket.destroyed) socket.write(line + '\n');
}

function handle(socket, subscribed, frame) {
  if (frame === null || typeof frame !== 'object') return send(socket, '{"t":"err","code":"bad_request","msg":"not an object"}');
  switch (frame.t) {
    case 'ping': return send(socket, '{"t":"pong"}');
    case 'sub': {
      if (typeof frame.ch !== 'string') break;
      const c = channel(frame.ch);
      const resuming = Number.isInteger(frame.from) && frame.from >= 0;
      // Single-threaded: the confirmation, the replay and the live subscription happen at once,
      // so nothing falls between history and live messages.
      send(socket, JSON.stringify({ t: 'subd', ch: frame.ch, at: c.log.length, resumed: resuming }));
      if (resuming) for (let s = frame.from + 1; s <= c.log.length; s++) { send(socket, c.log[s - 1]); stats.delivered++; }
      c.subscribers.add(socket);
      subscribed.add(c);
      return;
    }
    case 'pub': {
      if (typeof frame.ch !== 'string' || typeof frame.id !== 'string' || frame.d === undefined) break;
      const c = channel(frame.ch);
      const known = c.serialOf.get(frame.id);
      if (known !== undefined) { stats.retried++; return send(socket, JSON.stringify({ t: 'ack', id: frame.id, s: known })); }
      const serial = c.log.length + 1;
      const line = JSON.stringify({ t: 'msg', ch: frame.ch, s: serial, id: frame.id, d: frame.d });
      c.log.push(line);
      c.serialOf.set(frame.id, serial);
      stats.published++;
      for (const sub of c.subscribers) {
        if (dropEvery > 0 && ++liveDeliveries % dropEvery === 0) { stats.dropped++; continue; }
        send(sub, line);
        stats.delivered++;
      }
      return send(socket, JSON.stringify({ t: 'ack', id: frame.id, s: serial }));
    }
  }
  send(socket, JSON.stringify({ t: 'err', code: 'bad_request', msg: `cannot handle ${JSON.stringify(frame).slice(0, 80)}` }));
}

const server = net.createServer((socket) => {
  stats.connections++;
  socket.setNoDelay(true);
  const subscribed = new Set();
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk) => {
    buffered += chunk;
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const text = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (text.trim() === '') continue;
      let frame;
      try { frame = JSON.parse(text); } catch { send(socket, '{"t":"err","code":"bad_request","msg":"not JSON"}'); continue; }
      handle(socket, subscribed, frame);
    }
  });
  const forget = () => { for (const c of subscribed) c.subscribers.delete(socket); };
  socket.on('close', forget);
  socket.on('error', () => { /* 'close' follows */ });
});

server.listen(port, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    console.log(`stats ${JSON.stringify(stats)}`);
    process.exit(0);
  });
}
