// stages on the real reference cluster: clients ramp up, hold, and ramp down to 0 connected
// (visible in the per-second connected series); leavers end their streams cleanly, so the
// checker owes them nothing after they left and the run passes the default guarantee.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runSmall } from './support';
import { RateCurve } from '../../src/load/rate-curve';
import { parseScenario } from '../../src/scenario/parse';

/** The stages as the run read them (publish rates filled in). */
const scenarioOf = (stages: unknown[]) =>
  parseScenario({ name: 's', duration: '10s', clients: { count: 60, publishers: 20, publishRate: '2/s' }, stages }, 'inline').clients.stages!;

test('stages: ramp to 60, hold, ramp down to 0: 0 connected at the end, nothing lost, unsent or in doubt', { timeout: 180_000 }, async () => {
  const { results, exitCode } = await runSmall({
    clients: {
      count: 60, channels: 6, subscriptionsPerClient: 2, publishers: 12, publishRate: '5/s', payloadBytes: 64,
      reconnect: { initial: '50ms', max: '1s' }, heartbeat: { interval: '1s', timeout: '5s' },
    },
    stages: [{ duration: '2s', clients: 60 }, { duration: '3s', clients: 60 }, { duration: '2s', clients: 0 }],
    duration: '9s', drain: '6s', thresholds: {},
  });
  const t = results.totals;
  assert.deepEqual({ lost: t.lost, duplicated: t.duplicated, reordered: t.reordered, phantom: t.phantom, inDoubt: t.inDoubt, unsent: t.unsent },
    { lost: 0, duplicated: 0, reordered: 0, phantom: 0, inDoubt: 0, unsent: 0 }, JSON.stringify(results.examples.slice(0, 3)));
  assert.ok(t.delivered > 0);
  const connected = results.series.map((s) => s.connected);
  assert.ok(Math.max(...connected) === 60, `peak ${connected.join(' ')}`);
  assert.equal(connected[connected.length - 1], 0, `connected per second: ${connected.join(' ')}`);
  assert.ok(connected.indexOf(60) < connected.lastIndexOf(0), 'the ramp-down comes after the peak');
  assert.equal(results.clients.maxConnected, 60);
  assert.equal(exitCode, 0, JSON.stringify(results.thresholds.filter((x) => !x.pass)));
});

test('stages with publishRate: the scheduled-per-second series follows the rate curve (± 25 % a second, ± 10 % a stage), nothing lost', { timeout: 180_000 }, async () => {
  // 20 publishers from 2/s each: held 2 s, ramp to 10/s over 3 s, hold 2 s, ramp down to 0/s over 2 s
  const stages = [
    { duration: '2s', clients: 60 }, { duration: '3s', clients: 60, publishRate: '10/s' },
    { duration: '2s', clients: 60 }, { duration: '2s', clients: 60, publishRate: '0/s' },
  ];
  const { results, exitCode } = await runSmall({
    clients: {
      count: 60, channels: 6, subscriptionsPerClient: 2, publishers: 20, publishRate: '2/s', payloadBytes: 64,
      reconnect: { initial: '50ms', max: '1s' }, heartbeat: { interval: '1s', timeout: '5s' },
    },
    stages, duration: '10s', drain: '6s', thresholds: {}, // the last second: the curve is at 0/s
  });
  const t = results.totals;
  assert.deepEqual({ lost: t.lost, duplicated: t.duplicated, reordered: t.reordered, inDoubt: t.inDoubt, unsent: t.unsent },
    { lost: 0, duplicated: 0, reordered: 0, inDoubt: 0, unsent: 0 }, JSON.stringify(results.examples.slice(0, 3)));
  const curve = new RateCurve(2, scenarioOf(stages));
  const expectedIn = (fromS: number, toS: number) => 20 * (curve.countAt(toS * 1000) - curve.countAt(fromS * 1000));
  // The offered load (messages scheduled per second) is the curve; publishers joined in the
  // first second's third. First sends (published) follow as acks allow on a loaded machine.
  const scheduled = results.series.map((s) => s.scheduled ?? 0);
  const off: string[] = [];
  for (let s = 1; s < 9; s++) {
    const want = expectedIn(s, s + 1);
    if (Math.abs(scheduled[s] - want) > Math.max(5, want * 0.25)) off.push(`second ${s}: ${scheduled[s]} (curve ${want.toFixed(1)})`);
  }
  assert.deepEqual(off, [], `scheduled per second: ${scheduled.join(' ')}`);
  // a late sample moves counts into the next second (a loaded machine): stages are summed too
  for (const [from, to] of [[2, 5], [5, 7], [7, 10]]) {
    const got = scheduled.slice(from, to).reduce((a, b) => a + b, 0);
    const want = expectedIn(from, to);
    assert.ok(Math.abs(got - want) <= want * 0.1, `seconds ${from}–${to}: scheduled ${got}, curve ${want.toFixed(1)}`);
  }
  assert.ok(Math.abs(t.scheduled - expectedIn(0, 10)) <= expectedIn(0, 10) * 0.05, `scheduled ${t.scheduled}, curve ${expectedIn(0, 10).toFixed(1)}`);
  assert.equal(scheduled.reduce((a, b) => a + b, 0), t.scheduled, 'the series adds up to the total');
  assert.ok(scheduled.slice(11).every((n) => n === 0), `nothing scheduled after the ramp down to 0/s: ${scheduled.join(' ')}`);
  assert.equal(t.published, t.scheduled, 'every scheduled message was sent');
  assert.equal(exitCode, 0, JSON.stringify(results.thresholds.filter((x) => !x.pass)));
});
