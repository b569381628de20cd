// churn.session's plan, computed up front from the seed: session lengths have the configured
// mean, the initial clients leave at the stationary rate, the same seed gives the same plan,
// and with resume a leaver comes back as itself.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { planClients } from '../../src/load/assignment';
import { drawResidual, drawSession } from '../../src/load/sessions';
import { seededRandom } from '../../src/load/random';
import { parseScenario } from '../../src/scenario/parse';
import type { SessionSpec } from '../../src/contracts/scenario';

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const draws = (s: SessionSpec, draw: typeof drawSession, n = 200_000): number[] => {
  const random = seededRandom(7);
  return Array.from({ length: n }, () => draw(s, random));
};

describe('session lengths', () => {
  const specs: SessionSpec[] = [
    { distribution: 'fixed', meanMs: 10_000 },
    { distribution: 'exponential', meanMs: 10_000 },
    { distribution: 'uniform', meanMs: 10_000, minMs: 5000, maxMs: 15_000 },
    { distribution: 'uniform', meanMs: 3000, minMs: 1000, maxMs: 5000 },
    { distribution: 'lognormal', meanMs: 10_000, sigma: 1 },
    { distribution: 'lognormal', meanMs: 10_000, sigma: 0.3 },
  ];
  for (const s of specs) {
    test(`${s.distribution} ${JSON.stringify(s)}: mean within 2 % over 200,000 draws; residual mean E[S²]/2E[S] within 3 %`, () => {
      const xs = draws(s, drawSession);
      assert.ok(xs.every((x) => x >= 0 && Number.isFinite(x)));
      const m = mean(xs);
      assert.ok(Math.abs(m - s.meanMs) / s.meanMs < 0.02, `mean ${m} vs ${s.meanMs}`);
      if (s.distribution === 'uniform') assert.ok(xs.every((x) => x >= s.minMs! && x <= s.maxMs!), 'within the bounds');
      const residual = mean(draws(s, drawResidual));
      const expected = mean(xs.map((x) => x * x)) / (2 * m);
      assert.ok(Math.abs(residual - expected) / expected < 0.03, `residual mean ${residual} vs ${expected}`);
    });
  }
});

describe('churn.session plan', () => {
  const scenario = (churn: Record<string, unknown>, seed = 5) => parseScenario({
    name: 't', duration: '62s', seed,
    clients: { count: 210, publishers: 10, rampUp: '2s', channels: 20, subscriptionsPerClient: 2 },
    churn,
  }, 't');
  const plan = (churn: Record<string, unknown>, seed = 5) => {
    const s = scenario(churn, seed);
    return planClients(s.clients, 3, s.seed, 'r');
  };
  // 200 subscribe-only clients, mean 20 s, 10/s: Little's law, count = rate × mean, so stationary.
  const exponential = { rate: '10/s', session: { distribution: 'exponential', mean: '20s' } };

  test('the same seed gives the same plan; another seed another one; publishers never leave', () => {
    assert.deepEqual(plan(exponential), plan(exponential));
    assert.notDeepEqual(plan(exponential, 6).map((p) => p.leaveOffsetMs), plan(exponential).map((p) => p.leaveOffsetMs));
    assert.ok(plan(exponential).filter((p) => p.publishChannel !== null).every((p) => p.leaveOffsetMs === undefined && p.away === undefined));
  });

  test('even arrivals: exactly rate joins a second; leaves about rate a second (the population stays near count)', () => {
    const plans = plan(exponential);
    const joins = plans.slice(210);
    assert.equal(joins.length, 600);
    for (let s = 2; s < 62; s++) assert.equal(joins.filter((p) => Math.floor(p.startOffsetMs / 1000) === s).length, 10, `joins in second ${s}`);
    const leaves = plans.filter((p) => p.leaveOffsetMs !== undefined).length;
    assert.ok(Math.abs(leaves - 600) < 60, `leaves ${leaves}`);
    assert.ok(plans.every((p) => p.leaveOffsetMs === undefined || (p.leaveOffsetMs > p.startOffsetMs && p.leaveOffsetMs < 62_000)));
    assert.deepEqual(joins[0].channels, plans[10].channels, 'a fresh joiner takes the channels of the subscribe-only clients in turn');
  });

  test('fixed sessions: the initial clients leave evenly over one mean (equilibrium residual), joiners after exactly the mean', () => {
    const plans = plan({ rate: '10/s', session: { distribution: 'fixed', mean: '20s' } });
    const initial = plans.slice(10, 210).map((p) => p.leaveOffsetMs!);
    assert.ok(initial.every((t) => t >= 2000 && t <= 22_000));
    for (let q = 0; q < 4; q++) {
      const n = initial.filter((t) => t >= 2000 + q * 5000 && t < 7000 + q * 5000).length;
      assert.ok(Math.abs(n - 50) <= 15, `quarter ${q}: ${n}`);
    }
    for (const p of plans.slice(210)) if (p.leaveOffsetMs !== undefined) assert.ok(Math.abs(p.leaveOffsetMs - p.startOffsetMs - 20_000) < 1e-6);
  });

  test('poisson arrivals: about rate joins a second, gaps not all equal', () => {
    const joins = plan({ ...exponential, arrivals: 'poisson' }).slice(210);
    assert.ok(Math.abs(joins.length - 600) < 75, `joins ${joins.length}`);
    const gaps = joins.slice(1).map((p, i) => p.startOffsetMs - joins[i].startOffsetMs);
    assert.ok(new Set(gaps.map((g) => Math.round(g))).size > 50);
  });

  test('resume: leavers come back as themselves after at least away; fresh clients only when none is ready', () => {
    const plans = plan({ ...exponential, resume: true, away: '3s' });
    const returning = plans.filter((p) => p.away !== undefined);
    assert.ok(returning.length > 100, `returning ${returning.length}`);
    let returns = 0;
    for (const p of returning) {
      let last = p.startOffsetMs;
      for (const [gone, back] of p.away!) {
        assert.ok(gone >= last && back - gone >= 3000 - 1e-6 && back < 62_000, `${p.id}: ${JSON.stringify(p.away)}`);
        last = back;
        returns++;
      }
      if (p.leaveOffsetMs !== undefined) assert.ok(p.leaveOffsetMs >= last);
    }
    const fresh = plans.length - 210;
    assert.equal(fresh + returns, 600, 'every join slot is a return or a fresh client');
    assert.ok(fresh < 300, `fresh ${fresh}: most slots go to returning clients`);
  });
});
