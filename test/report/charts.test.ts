import { test } from 'node:test';
import assert from 'node:assert/strict';
import { latencyScale, linearScale, logScale, niceCeil, timeTicks } from '../../src/report/charts/scale';
import { percentileX } from '../../src/report/charts/percentile-chart';
import { linePath } from '../../src/report/charts/svg';

test('scales: log axis tops out at the next 1/2/5 step, ticks inside the range', () => {
  const y = logScale(20_000, 10_820_000, 300, 0);
  assert.equal(y.ticks[0], 10_000);
  assert.equal(y.ticks[y.ticks.length - 1], 20_000_000);
  assert.equal(y(10_000), 300);
  assert.equal(y(20_000_000), 0);
  assert.ok(y(100_000) < y(10_000) && y(1_000_000) < y(100_000), 'larger values are higher up');
  assert.deepEqual([niceCeil(1), niceCeil(1.2), niceCeil(3), niceCeil(7), niceCeil(0.034)], [1, 2, 5, 10, 0.05]);
});

test('scales: latency axis is linear from 0 for narrow ranges, log for wide ones', () => {
  assert.equal(latencyScale([1000, 9000], [100_000], 200, 0).kind, 'log');
  assert.equal(latencyScale([40_000, 90_000], [100_000], 200, 0).kind, 'linear');
  const lin = linearScale(0, 93, 100, 0, 5);
  assert.deepEqual(lin.ticks, [0, 20, 40, 60, 80, 100]);
  assert.deepEqual(timeTicks(60), [0, 10, 20, 30, 40, 50, 60]);
  assert.equal(timeTicks(3600).length <= 11, true);
});

test('percentile axis: 90%, 99%, 99.9% are evenly spaced', () => {
  assert.equal(percentileX(0), 0);
  assert.ok(Math.abs(percentileX(90) - 1) < 1e-9);
  assert.ok(Math.abs(percentileX(99) - 2) < 1e-9);
  assert.ok(Math.abs(percentileX(99.9) - 3) < 1e-9);
});

test('line paths break at missing values', () => {
  assert.equal(linePath([[0, 1], [2, 3], null, [4, 5], [6, 7.25]]), 'M0 1L2 3M4 5L6 7.3');
});
