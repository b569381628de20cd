#!/usr/bin/env node
// A minimal Socket.IO chat server: rooms, acks and (optionally) connection state recovery.
// chat-bench's socketio adapter speaks to it with its default event names; see README.md.
//
//   node server.js [--port 3000] [--host 127.0.0.1] [--recovery on|off] [--max-disconnection 120000]
//                  [--events join=join,leave=leave,publish=publish,deliver=message]
//                  [--tls-cert cert.pem --tls-key key.pem] [--log-connections]
// Environment: PORT, HOST, RECOVERY (on|off), MAX_DISCONNECTION (ms), TLS_CERT, TLS_KEY,
// AUTH_SECRET (when set: every connection must present an HS256 JWT signed with it, not expired,
// as the handshake's auth.token; chat-bench sends one with cluster.auth.payload). Flags win.
// Prints one line {"event":"listening","port":N,"recovery":true|false,"tls":bool,"auth":bool} once
// it listens; --log-connections adds a JSON line on stderr per upgrade, auth check, failed TLS handshake and disconnect.
'use strict';
const { createHmac, timingSafeEqual } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { createServer } = require('node:http');
const { createServer: createTlsServer } = require('node:https');
const { Server } = require('socket.io');

function flag(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

function fail(message) {
  process.stderr.write(`socketio-chat: ${message}\n`);
  process.exit(2);
}

const port = Number(flag('port', process.env.PORT ?? '3000'));
const host = flag('host', process.env.HOST ?? '127.0.0.1');
const recoveryText = flag('recovery', process.env.RECOVERY ?? 'on');
if (recoveryText !== 'on' && recoveryText !== 'off') fail(`--recovery is "${recoveryText}", not on or off`);
const recovery = recoveryText === 'on';
const maxDisconnectionDuration = Number(flag('max-disconnection', process.env.MAX_DISCONNECTION ?? '120000'));
if (!Number.isInteger(port) || port < 0 || port > 65535) fail('--port is not a port number');
if (!(maxDisconnectionDuration > 0)) fail('--max-disconnection is not a positive number of milliseconds');

const events = { join: 'join', leave: 'leave', publish: 'publish', deliver: 'message' };
for (const pair of (flag('events', '') || '').split(',').filter(Boolean)) {
  const [role, name] = pair.split('=');
  if (!(role in events) || !name) fail(`--events: "${pair}" is not role=name (roles: ${Object.keys(events).join(', ')})`);
  events[role] = name;
}

const certFile = flag('tls-cert', process.env.TLS_CERT);
const keyFile = flag('tls-key', process.env.TLS_KEY);
if (!certFile !== !keyFile) fail('--tls-cert and --tls-key go together');
const read = (file, what) => { try { return readFileSync(file); } catch (e) { return fail(`${what} ${file}: ${e.message}`); } };
const tls = certFile ? { cert: read(certFile, '--tls-cert'), key: read(keyFile, '--tls-key') } : null;
const authSecret = process.env.AUTH_SECRET || '';
const logConnections = process.argv.includes('--log-connections');
const log = (line) => { if (logConnections) process.stderr.write(`${JSON.stringify(line)}\n`); };

const http = tls ? createTlsServer(tls) : createServer();
http.on('upgrade', (req) => log({ event: 'upgrade', servername: req.socket.servername ?? null, host: req.headers.host, url: req.url, headers: req.headers }));
http.on('tlsClientError', (err) => log({ event: 'tls-error', message: err.message }));
const io = new Server(http, {
  // Kept: the socket's id, rooms and data, and every room broadcast it missed while away.
  ...(recovery ? { connectionStateRecovery: { maxDisconnectionDuration, skipMiddlewares: true } } : {}),
});

/** The claims of an HS256 JWT signed with `secret` and not expired; throws why not. */
function verifiedClaims(token, secret) {
  const [head, body, sig] = typeof token === 'string' ? token.split('.') : [];
  if (!head || !body || !sig) throw new Error('no token');
  if (JSON.parse(Buffer.from(head, 'base64url').toString()).alg !== 'HS256') throw new Error('not an HS256 token');
  const expected = createHmac('sha256', secret).update(`${head}.${body}`).digest();
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new Error('bad signature');
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
  if (typeof claims.exp === 'number' && claims.exp * 1000 < Date.now()) throw new Error('token expired');
  return claims;
}

if (authSecret) {
  // A refusal reaches the client as connect_error; Socket.IO clients do not retry it by themselves.
  io.use((socket, next) => {
    try {
      const claims = verifiedClaims(socket.handshake.auth?.token, authSecret);
      log({ event: 'auth', ok: true, sub: claims.sub ?? null, query: socket.handshake.query });
      next();
    } catch (e) {
      log({ event: 'auth', ok: false, reason: e.message });
      next(new Error(`unauthorized: ${e.message}`));
    }
  });
}

const isRoom = (room) => typeof room === 'string' && room.length > 0 && room.length <= 200;
// Acks are optional: a client that sends no callback gets none.
const reply = (ack, value) => { if (typeof ack === 'function') ack(value); };

io.on('connection', (socket) => {
  // Recovery resumes from the offset of the last event a client received; one that has received
  // none cannot be recovered. A broadcast to the socket's own room gives it an offset at once.
  if (recovery && !socket.recovered) io.to(socket.id).emit('welcome');
  // logged once the session is stored for recovery (socket.io persists it before 'disconnect')
  socket.on('disconnect', (reason) => log({ event: 'disconnect', reason }));
  socket.on(events.join, (room, ack) => {
    if (!isRoom(room)) return reply(ack, { error: 'room must be a non-empty text' });
    socket.join(room);
    reply(ack, { ok: true });
  });
  socket.on(events.leave, (room, ack) => {
    if (!isRoom(room)) return reply(ack, { error: 'room must be a non-empty text' });
    socket.leave(room);
    reply(ack, { ok: true });
  });
  socket.on(events.publish, (message, ack) => {
    if (message === null || typeof message !== 'object' || !isRoom(message.room)) return reply(ack, { error: 'message needs a room' });
    // To everyone in the room, the sender too; a broadcast, so recovery can replay it.
    io.to(message.room).emit(events.deliver, message);
    reply(ack, { ok: true });
  });
});

http.listen(port, host, () => {
  process.stdout.write(`${JSON.stringify({ event: 'listening', port: http.address().port, recovery, tls: tls !== null, auth: authSecret !== '' })}\n`);
});

const stop = () => io.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
