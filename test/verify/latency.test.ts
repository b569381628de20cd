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

  test('phases collect what was recorded while they were current', () => {
    const rec = new LatencyRecorder(START_MS);
    rec.record(1, START_MS); // before any phase: only in the run's histogram
    rec.setPhase('steady');
    for (let i = 0; i < 10; i++) rec.record(100, START_MS + 10);
    rec.setPhase('fault');
    for (let i = 0; i < 5; i++) rec.record(50_000, START_MS + 20);
    rec.setPhase('steady');
    for (let i = 0; i < 3; i++) rec.record(200, START_MS + 1_020);
    const phases = rec.phaseSummaries();
    assert.deepEqual(Object.keys(phases), ['fault', 'steady']);
    assert.equal(phases.steady.count, 13);
    assert.equal(phases.steady.maxUs, 200);
    assert.equal(phases.fault.count, 5);
    assert.equal(rec.summary(rec.overall).count, 19);
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
      const phase = i < 2000 ? 'steady' : i < 4000 ? 'fault' : 'recovery';
      const value = 500 + (next() % 400_000);
      const at = START_MS + Math.floor(i / 2); // 3 seconds of deliveries
      for (const r of [whole, w]) {
        r.setPhase(phase);
        r.record(value, at);
      }
      if (i % 100 === 0) for (const r of [whole, w]) r.recordReconnect(value * 2);
    }
    const merged = LatencyRecorder.merge(JSON.parse(JSON.stringify(workers.map((w) => w.encode()))) as Array<Record<string, string>>, START_MS);
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
