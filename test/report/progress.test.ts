import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createProgress, type LiveStats } from '../../src/report/progress';

const stats = (elapsedMs: number, over: Partial<LiveStats> = {}): LiveStats => ({
  elapsedMs, totalMs: 75_000, connected: 1998, targetClients: 2000, msgsPerSec: 1012.4, p99LastSecUs: 12_345,
  activeFaults: [], lostSoFar: 0, phase: 'steady', ...over,
});

test('progress on a TTY: one line redrawn in place, cut to the terminal width, cleared on stop', () => {
  const out: string[] = [];
  let width = 60;
  const p = createProgress({ tty: true, quiet: false, write: (s) => out.push(s), columns: () => width });
  p.update(stats(23_000, { activeFaults: ['latency 300ms on clients:node-2', 'link down node-1>node-3'] }));
  width = 120; // the terminal was resized: the next line uses the new width
  p.update(stats(24_000));
  assert.equal(out.length, 2, 'one write per update');
  for (const w of out) {
    assert.ok(w.startsWith('\r\x1b[2K'), 'returns to column 0 and clears the line');
    assert.ok(!w.includes('\n'), 'never a newline while running');
  }
  assert.equal(Array.from(out[0].slice('\r\x1b[2K'.length)).length, 59, 'fits in the terminal, one column spare');
  assert.ok(out[0].endsWith('…'), 'a long line is visibly cut');
  assert.equal(out[1], '\r\x1b[2K[0:24/1:15] steady · clients 1,998/2,000 · 1,012 msg/s · p99 12.3ms · lost 0');
  p.stop();
  assert.equal(out[2], '\r\x1b[2K');
});

test('progress without a TTY: a plain line every interval and at each phase change, no escape codes', () => {
  const out: string[] = [];
  const p = createProgress({ tty: false, quiet: false, write: (s) => out.push(s), intervalMs: 5000 });
  for (let s = 0; s <= 12; s++) p.update(stats(s * 1000, { phase: s >= 7 ? 'fault' : 'steady', activeFaults: s >= 7 ? ['kill node-2'] : [] }));
  p.stop();
  assert.deepEqual(out.map((l) => l.slice(0, 6)), ['[0:00/', '[0:05/', '[0:07/', '[0:12/']);
  for (const line of out) {
    assert.ok(line.endsWith('\n') && !line.slice(0, -1).includes('\n'));
    assert.ok(!line.includes('\x1b') && !line.includes('\r'));
  }
  assert.match(out[2], /fault · .* · faults: kill node-2\n$/);
});

test('progress when quiet: nothing at all', () => {
  const out: string[] = [];
  for (const tty of [true, false]) {
    const p = createProgress({ tty, quiet: true, write: (s) => out.push(s) });
    p.update(stats(1000));
    p.update(stats(9000, { phase: 'fault' }));
    p.stop();
  }
  assert.deepEqual(out, []);
});
