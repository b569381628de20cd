// The node pings each connection at its own time: connections that came over 10 s are pinged
// over 10 s, not gathered into one sweep (a burst of thousands of pings and pongs stalled every
// delivery for 100–150 ms, every 5 s, with 5,000 clients). Driven by the sweep's own period.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Heartbeat } from '../../reference-broker/heartbeat';
import type { Connection } from '../../reference-broker/connection';

test('pings are spread like the connections came: no sweep pings more than a tenth of them; a silent one still times out', () => {
  let now = 0;
  const hb = new Heartbeat({ pingMs: 10_000, timeoutMs: 30_000 }, () => now);
  const sweep = () => (hb as unknown as { sweep(): void }).sweep();
  const pinged: number[] = [];
  let sweepPings = 0;
  const dropped = new Set<number>();
  const CONNECTIONS = 1000;
  const conns = Array.from({ length: CONNECTIONS }, (_, i) => ({
    ws: { ping: () => { sweepPings++; pinged[i] = (pinged[i] ?? 0) + 1; } },
    drop: () => { dropped.add(i); },
  }) as unknown as Connection);
  // they come evenly over 10 s; every one but the last answers its pings at once
  let largestSweep = 0;
  let next = 0;
  for (now = 0; now <= 60_000; now += hb.tickMs) {
    while (next < CONNECTIONS && next * 10 <= now) hb.add(conns[next++]);
    sweepPings = 0;
    sweep();
    largestSweep = Math.max(largestSweep, sweepPings);
    for (let i = 0; i < CONNECTIONS - 1; i++) hb.answered(conns[i]);
  }
  assert.ok(largestSweep <= CONNECTIONS / 10, `one sweep pinged ${largestSweep} of ${CONNECTIONS} connections (tick ${hb.tickMs} ms)`);
  assert.ok(pinged.slice(0, -1).every((n) => n >= 4), 'each answering connection pinged about every 10 s');
  assert.deepEqual([...dropped], [CONNECTIONS - 1], 'only the silent one is dropped');
});
