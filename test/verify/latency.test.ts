import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HIGHEST_US, LatencyRecorder, summarize } from '../../src/verify/latency';

const START_MS = 1_700_000_000_000;

describe('LatencyRecorder', () => {
  test('overall summary: exact percentiles below 2048 µs, count, min, max, mean', () => {
    const rec = new LatencyRecorder(START_MS);
    for (let v = 1; v <= 1000; v++) rec.record(v, START_MS + 10);
    const s = rec.summary(rec.overall);
    assert.deepEqual(s, { count: 1000, minUs: 1, p50Us: 500, p90Us: 900, p99Us: 990, p999Us: 999, maxUs: 1000, meanUs: 500.5 });
  });

  test('large values keep 3 significant digits (getValueAtPercentile, not rounded summaries)', () => {
    const rec = new LatencyRecorder(START_MS);
    rec.record(123_457, START_MS);
    const s = rec.summary(rec.overall);
    assert.ok(Math.abs(s.p50Us - 123_457) / 123_457 < 0.001, `p50 ${s.p50Us}`);
    assert.equal(s.p50Us, rec.overall.getValueAtPercentile(50));
  });

  test('per-second histograms follow the receive time; seconds without deliveries are absent', () => {
    const rec = new LatencyRecorder(START_MS);
    rec.record(100, START_MS + 100);
    rec.record(200, START_MS + 900);
    rec.record(300, START_MS + 1_500);
    rec.record(400, START_MS + 3_200);
    rec.record(500, START_MS + 3_999);
    const seconds = rec.perSecond();
    assert.deepEqual(seconds.map((x) => [x.t, x.latency.count, x.latency.maxUs]), [[0, 2, 200], [1, 1, 300], [3, 2, 500]]);
    assert.equal(rec.summary(rec.overall).count, 5);
  });

  test('a value arriving for an already closed second reopens it (exact)', () => {
    const rec = new LatencyRecorder(START_MS);
    rec.record(10, START_MS + 100);
    rec.record(20, START_MS + 1_100);
    rec.record(30, START_MS + 200); // clock stepped back
    rec.record(40, START_MS + 1_200);
    assert.deepEqual(rec.perSecond().map((x) => [x.t, x.latency.count]), [[0, 2], [1, 2]]);
  });

  test('phases follow the SCHEDULED second (receive − latency), not the receive second', () => {
    const rec = new LatencyRecorder(START_MS);
    for (let i = 0; i < 10; i++) rec.record(20_000, START_MS + 500);      // scheduled in second 0
    for (let i = 0; i < 5; i++) rec.record(5_900_000, START_MS + 12_300); // scheduled at 6.4 s, replayed at 12.3 s
    for (let i = 0; i < 3; i++) rec.record(30_000, START_MS + 12_500);    // scheduled in second 12
    rec.assignPhases((t) => (t >= 5 && t < 10 ? 'fault' : 'steady'));
    const phases = rec.phaseSummaries();
    assert.deepEqual(Object.keys(phases), ['fault', 'steady']);
    assert.equal(phases.steady.count, 13);
    assert.ok(Math.abs(phases.steady.maxUs - 30_000) < 50, String(phases.steady.maxUs));
    assert.equal(phases.fault.count, 5);
    assert.deepEqual(rec.perScheduledSecond().map((x) => [x.t, x.latency.count]), [[0, 10], [6, 5], [12, 3]]);
    // the time series keeps the receive second: the backlog shows where it arrived
    assert.deepEqual(rec.perSecond().map((x) => [x.t, x.latency.count]), [[0, 10], [12, 8]]);
    // assigning again replaces the previous assignment
    rec.assignPhases(() => 'steady');
    assert.deepEqual(Object.keys(rec.phaseSummaries()), ['steady']);
  });

  test('scheduled seconds stay exact when a backlog interleaves more seconds than are kept live', () => {
    const rec = new LatencyRecorder(START_MS);
    for (let round = 0; round < 3; round++) {
      for (let s = 0; s < 40; s++) rec.record((60 - s) * 1_000_000 - 500_000, START_MS + 60_000); // scheduled at s + 0.5 s
    }
    const seconds = rec.perScheduledSecond();
    assert.equal(seconds.length, 40);
    assert.ok(seconds.every((x, i) => x.t === i && x.latency.count === 3), JSON.stringify(seconds.slice(0, 3)));
  });

  test('a latency above the receive time never lands before the run, a negative one never after its receive second', () => {
    const rec = new LatencyRecorder(START_MS);
    rec.record(10_000_000, START_MS + 2_000);
    rec.record(-5, START_MS + 3_000);
    assert.deepEqual(rec.perScheduledSecond().map((x) => x.t), [0, 3]);
  });

  test('connect, reconnect and continuity have their own histograms', () => {
    const rec = new LatencyRecorder(START_MS);
    rec.recordConnect(1_000);
    rec.recordReconnect(250_000);
    rec.recordReconnect(260_000);
    rec.recordContinuity(300_000);
    const r = rec.results();
    assert.equal(r.connect.count, 1);
    assert.equal(r.reconnect.count, 2);
    assert.equal(r.continuity.count, 1);
    assert.equal(r.overall.count, 0);
    assert.deepEqual(r.percentiles, []);
  });

  test('out-of-range values are clamped, not thrown', () => {
    const rec = new LatencyRecorder(START_MS);
    rec.record(-5, START_MS);
    rec.record(HIGHEST_US * 3, START_MS);
    const s = rec.summary(rec.overall);
    assert.equal(s.count, 2);
    assert.equal(s.minUs, 0);
    assert.ok(s.maxUs >= HIGHEST_US && s.maxUs <= HIGHEST_US * 1.001);
  });

  test('merge of encoded workers equals one recorder that saw everything', () => {
    const whole = new LatencyRecorder(START_MS);
    const workers = [new LatencyRecorder(START_MS), new LatencyRecorder(START_MS)];
    let x = 12345;
    const next = () => (x = (x * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 6000; i++) {
      const w = workers[i % 2];
      const phase = i < 2000 ? 'steady' : i < 4000 ? 'fault' : 'recovery'; // scheduled in seconds 0, 4 and 2
      const value = 500 + (next() % 400_000);
      const at = START_MS + Math.floor(i / 2) + 0.5; // sent during 3 seconds
      for (const r of [whole, w]) r.record(value, at + (phase === 'fault' ? 3000 : 0) + value / 1000);
      if (i % 100 === 0) for (const r of [whole, w]) r.recordReconnect(value * 2);
    }
    const merged = LatencyRecorder.merge(JSON.parse(JSON.stringify(workers.map((w) => w.encode()))) as Array<Record<string, string>>, START_MS);
    const phaseOf = (t: number) => (t === 0 ? 'steady' : t >= 4 ? 'fault' : 'recovery');
    whole.assignPhases(phaseOf);
    merged.assignPhases(phaseOf);
    assert.deepEqual(merged.results(), whole.results());
    assert.deepEqual(merged.perSecond(), whole.perSecond());
    assert.equal(merged.summary(merged.overall).count, workers[0].summary(workers[0].overall).count + workers[1].summary(workers[1].overall).count);
    assert.equal(merged.results().phases.fault.count, 2000);
    assert.deepEqual(Object.keys(merged.encode()).sort(), Object.keys(whole.encode()).sort());
    // and the comparison can fail: one worker alone is not the whole
    assert.notDeepEqual(LatencyRecorder.merge([workers[0].encode()], START_MS).results(), whole.results());
  });

  test('merge refuses unknown names and damaged histograms with one-line errors', () => {
    assert.throws(() => LatencyRecorder.merge([{ bogus: 'x' }]), (e: Error) => e.name === 'UserError' && /unknown latency histogram "bogus"/.test(e.message));
    assert.throws(() => LatencyRecorder.merge([{ overall: '!!!' }]), (e: Error) => e.name === 'UserError' && /cannot be decoded/.test(e.message));
  });

  test('summarize of an empty histogram is all zeros', () => {
    const rec = new LatencyRecorder(START_MS);
    assert.deepEqual(summarize(rec.overall), { count: 0, minUs: 0, p50Us: 0, p90Us: 0, p99Us: 0, p999Us: 0, maxUs: 0, meanUs: 0 });
  });
});
