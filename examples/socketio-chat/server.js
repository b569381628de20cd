#!/usr/bin/env node
// A minimal Socket.IO chat server: rooms, acks and (optionally) connection state recovery.
// chat-bench's socketio adapter speaks to it with its default event names; see README.md.
//
//   node server.js [--port 3000] [--host 127.0.0.1] [--recovery on|off] [--max-disconnection 120000]
//                  [--events join=join,leave=leave,publish=publish,deliver=message]
// Environment: PORT, HOST, RECOVERY (on|off), MAX_DISCONNECTION (ms). Flags win.
// Prints one line {"event":"listening","port":N,"recovery":true|false} once it listens.
'use strict';
const { createServer } = require('node:http');
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

const http = createServer();
const io = new Server(http, {
  // Kept: the socket's id, rooms and data, and every room broadcast it missed while away.
  ...(recovery ? { connectionStateRecovery: { maxDisconnectionDuration, skipMiddlewares: true } } : {}),
});

const isRoom = (room) => typeof room === 'string' && room.length > 0 && room.length <= 200;
// Acks are optional: a client that sends no callback gets none.
const reply = (ack, value) => { if (typeof ack === 'function') ack(value); };

io.on('connection', (socket) => {
  // Recovery resumes from the offset of the last event a client received; one that has received
  // none cannot be recovered. A broadcast to the socket's own room gives it an offset at once.
  if (recovery && !socket.recovered) io.to(socket.id).emit('welcome');
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
  process.stdout.write(`${JSON.stringify({ event: 'listening', port: http.address().port, recovery })}\n`);
});

const stop = () => io.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
