// Workload shapes of issue 14: zipf channel popularity, big rooms beside small channels, client
// groups with their own counts and rates: validated like the rest, planned from the seed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { planClients, zipfCdf } from '../../src/load/assignment';
import { RateCurve, rateCurveOf } from '../../src/load/rate-curve';
import { parseScenario } from '../../src/scenario/parse';
import type { ClientsSpec } from '../../src/contracts/scenario';
import { UserError } from '../../src/util/errors';

const clients = (c: Record<string, unknown>): ClientsSpec => parseScenario({ name: 't', duration: '60s', clients: c }, 't').clients;
const refused = (c: Record<string, unknown>): string => {
  try {
    clients(c);
  } catch (e) {
    assert.ok(e instanceof UserError);
    assert.equal(e.exitCode, 2);
    return e.message;
  }
  return assert.fail('expected a refusal');
};
const countBy = <T>(items: T[]): Map<T, number> => {
  const m = new Map<T, number>();
  for (const x of items) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
};

describe('channelDistribution', () => {
  test('zipf(1.1) over 100 channels: the hottest channel holds 1/H(100, 1.1) = 23.4 % of random subscriptions', () => {
    const spec = clients({ count: 20_000, channels: 100, publishers: 0, channelDistribution: 'zipf(1.1)' });
    assert.deepEqual(spec.channelDistribution, { kind: 'zipf', s: 1.1 });
    const subs = planClients(spec, 3, 7, 'r').flatMap((p) => p.channels);
    const counts = [...countBy(subs).entries()].sort((a, b) => b[1] - a[1]);
    assert.equal(counts[0][0], 'r.ch0', 'channel 0 is the hottest');
    const share = counts[0][1] / subs.length;
    assert.ok(Math.abs(share - 0.2338) < 0.015, `hottest share ${share}`);
    assert.ok(counts[counts.length - 1][1] < counts[0][1] / 50, 'the coldest channel is far colder');
    assert.ok(Math.abs(zipfCdf(100, 1.1)[0] - 0.2338) < 0.0005);
  });

  test('uniform (the default) spreads evenly; zipf keeps subscriptions distinct and publishers on their channel', () => {
    const uniform = countBy(planClients(clients({ count: 20_000, channels: 100, publishers: 0 }), 3, 7, 'r').flatMap((p) => p.channels));
    assert.ok(Math.max(...uniform.values()) / 20_000 < 0.02);
    const plans = planClients(clients({ count: 500, channels: 8, subscriptionsPerClient: 6, publishers: 40, channelDistribution: 'zipf(2)' }), 3, 1, 'r');
    for (const p of plans) {
      assert.equal(new Set(p.channels).size, 6);
      if (p.publishChannel) assert.ok(p.channels.includes(p.publishChannel));
    }
  });

  test('refusals name the field', () => {
    assert.match(refused({ count: 10, channelDistribution: 'pareto' }), /clients\.channelDistribution: "pareto" is not uniform or zipf\(s\)$/);
    assert.match(refused({ count: 10, channelDistribution: 'zipf(0)' }), /zipf exponent 0 is not more than 0/);
  });
});

describe('rooms', () => {
  test('a big room beside small channels: exactly its subscribers, its publisher publishes nowhere else', () => {
    const spec = clients({ count: 3000, channels: 50, publishers: 50, rooms: [{ channels: 1, subscribers: 2500 }, { channels: 3, subscribers: 20, publishers: 2 }] });
    assert.deepEqual(spec.rooms, [{ channels: 1, subscribers: 2500, publishers: 1 }, { channels: 3, subscribers: 20, publishers: 2 }]);
    const plans = planClients(spec, 3, 5, 'r');
    const members = countBy(plans.flatMap((p) => p.channels.filter((c) => c.includes('.room'))));
    assert.deepEqual([...members.entries()].sort(), [['r.room0', 2500], ['r.room1', 20], ['r.room2', 20], ['r.room3', 20]]);
    const roomPublishers = plans.filter((p) => p.publishChannel?.includes('.room'));
    assert.equal(roomPublishers.length, 1 + 3 * 2);
    for (const p of roomPublishers) assert.ok(p.channels.includes(p.publishChannel!), 'a room publisher reads its room');
    assert.equal(plans.filter((p) => p.publishChannel).length, 50 + 7);
    assert.deepEqual(planClients(spec, 3, 5, 'r'), plans, 'same seed, same rooms');
  });

  test('refusals name the field', () => {
    assert.match(refused({ count: 10, rooms: [{ subscribers: 11 }] }), /clients\.rooms\[0\]\.subscribers: 11 is not between 1 and 10$/);
    assert.match(refused({ count: 10, publishers: 10, rooms: [{ subscribers: 5 }] }), /clients\.rooms: needs 1 room publishers but only 0 clients publish nowhere else$/);
    assert.match(refused({ count: 10, rooms: [{ subscribers: 5, size: 3 }] }), /clients\.rooms\[0\]\.size: unknown field$/);
  });
});

describe('client groups', () => {
  test('a subscribe-only crowd and publish-heavy bots: counts, publishers and rates per group', () => {
    const spec = clients({
      channels: 4, publishRate: '1/s',
      groups: [{ name: 'crowd', count: 300, subscriptionsPerClient: 2 }, { name: 'bots', count: 6, publishers: 6, publishRate: '20/s' }],
    });
    assert.equal(spec.count, 306);
    assert.equal(spec.publishers, 6);
    const plans = planClients(spec, 3, 1, 'r');
    const crowd = plans.filter((p) => p.group === 'crowd');
    const bots = plans.filter((p) => p.group === 'bots');
    assert.deepEqual([crowd.length, bots.length], [300, 6]);
    assert.ok(crowd.every((p) => p.publishChannel === null && p.channels.length === 2));
    assert.ok(bots.every((p) => p.publishChannel !== null && p.publishRate === 20 && p.channels.length === 1));
    assert.equal(new Set(bots.map((p) => p.publishChannel)).size, 4, 'every channel has a publisher');
  });

  test('refusals name the field', () => {
    assert.match(refused({ count: 5, groups: [{ count: 5 }] }), /clients\.count: is the sum over groups when groups: is given$/);
    assert.match(refused({ groups: [{ name: 'a', count: 1 }, { name: 'a', count: 2 }] }), /clients\.groups\[1\]\.name: "a" is used by another group$/);
    assert.match(refused({ groups: [{ count: 3, publishers: 4 }] }), /clients\.groups\[0\]\.publishers: 4 is not between 0 and 3$/);
    assert.match(refused({ groups: [{ publishers: 1 }] }), /clients\.groups\[0\]\.count: is required$/);
    assert.match(refused({ groups: [] }), /clients\.groups: is empty$/);
    assert.match(refused({ groups: [{ count: 3, publishers: 1, publishRate: '0/s' }] }), /clients\.groups\[0\]\.publishRate: "0\/s" publishes nothing$/);
    assert.match(refused({ groups: [{ count: 3, publishers: 1, publishRate: '20000/s' }] }), /clients\.groups\[0\]\.publishRate: "20000\/s" is more than 10000\/s per publisher$/);
  });
});

describe('stages', () => {
  const staged = (stages: unknown, c: Record<string, unknown> = { count: 100 }) =>
    parseScenario({ name: 't', duration: '60s', clients: c, stages }, 't').clients;

  test('ramp, hold, ramp-down: clients join in order, the last to join leaves first, 0 at the end', () => {
    const spec = staged([{ duration: '10s', clients: 100 }, { duration: '20s', clients: 100 }, { duration: '10s', clients: 0 }]);
    assert.deepEqual(spec.stages, [{ durationMs: 10_000, clients: 100 }, { durationMs: 20_000, clients: 100 }, { durationMs: 10_000, clients: 0 }]);
    const plans = planClients(spec, 3, 1, 'r');
    assert.equal(plans[0].startOffsetMs, 100);
    assert.equal(plans[99].startOffsetMs, 10_000);
    assert.equal(plans[99].leaveOffsetMs, 30_100);
    assert.equal(plans[0].leaveOffsetMs, 40_000);
    const connectedAt = (t: number) => plans.filter((p) => p.startOffsetMs <= t && (p.leaveOffsetMs ?? Infinity) > t).length;
    assert.deepEqual([0, 5000, 10_000, 25_000, 35_000, 40_000].map(connectedAt), [0, 50, 100, 100, 50, 0]);
  });

  test('a partial ramp-down leaves the rest connected to the end', () => {
    const plans = planClients(staged([{ duration: '5s', clients: 100 }, { duration: '5s', clients: 40 }]), 3, 1, 'r');
    assert.equal(plans.filter((p) => p.leaveOffsetMs !== undefined).length, 60);
    assert.equal(plans[39].leaveOffsetMs, undefined);
  });

  test('refusals name the field', () => {
    const message = (stages: unknown, c?: Record<string, unknown>) => { try { staged(stages, c); } catch (e) { return (e as Error).message; } return ''; };
    assert.match(message([{ duration: '5s', clients: 100 }, { duration: '5s', clients: 0 }, { duration: '5s', clients: 50 }]), /stages\[2\]\.clients: 50 rises again after a ramp-down$/);
    assert.match(message([{ duration: '50s', clients: 100 }, { duration: '20s', clients: 0 }]), /stages: last 1\.167m, longer than the run|stages: last 70s, longer than the run/);
    assert.match(message([{ duration: '5s', clients: 50 }]), /stages: reach at most 50 clients but clients\.count is 100$/);
    assert.match(message([{ duration: '5s', clients: 101 }]), /stages\[0\]\.clients: 101 is not between 0 and 100$/);
    assert.match(message([{ duration: '5s', clients: 100 }], { count: 100, rampUp: '2s' }), /stages: replaces clients\.rampUp$/);
  });

  test('publishRate: per publisher, a stage without one holds the rate reached; refusals name the stage', () => {
    const spec = staged([{ duration: '10s', clients: 100 }, { duration: '20s', clients: 100, publishRate: '10/s' }, { duration: '10s', clients: 0, publishRate: '0/s' }],
      { count: 100, publishRate: '2/s' });
    assert.deepEqual(spec.stages!.map((st) => st.publishRate), [2, 10, 0]);
    assert.equal(staged([{ duration: '10s', clients: 100 }]).stages![0].publishRate, undefined, 'no stage gives one: clients.publishRate throughout');
    const message = (stages: unknown, c?: Record<string, unknown>) => { try { staged(stages, c); } catch (e) { return (e as Error).message; } return ''; };
    assert.match(message([{ duration: '5s', clients: 100, publishRate: '20000/s' }]), /stages\[0\]\.publishRate: "20000\/s" is more than 10000\/s per publisher$/);
    assert.match(message([{ duration: '5s', clients: 100, publishRate: 'fast' }]), /stages\[0\]\.publishRate: /);
    assert.match(message([{ duration: '5s', clients: 10, publishRate: '5/s' }], { groups: [{ count: 10, publishers: 2 }] }),
      /stages\[0\]\.publishRate: cannot be combined with clients\.groups/);
  });

  test('the rate curve: linear ramps between stage targets, held after; message times invert the count', () => {
    // 2/s at 0 → 10/s at 4 s → held 10/s to 6 s → 0/s at 8 s, then silent
    const curve = new RateCurve(2, [{ durationMs: 4000, clients: 1, publishRate: 10 }, { durationMs: 2000, clients: 1, publishRate: 10 }, { durationMs: 2000, clients: 1, publishRate: 0 }]);
    assert.deepEqual([0, 2000, 4000, 5000, 7000, 8000, 9000].map((t) => curve.rateAt(t)), [2, 6, 10, 10, 5, 0, 0]);
    assert.deepEqual([2000, 4000, 6000, 8000, 20_000].map((t) => curve.countAt(t)), [8, 24, 44, 54, 54]);
    for (const count of [0.5, 8, 13.25, 24, 30, 44, 50, 53.9]) assert.ok(Math.abs(curve.countAt(curve.timeOfCount(count)) - count) < 1e-9, `count ${count}`);
    assert.equal(curve.timeOfCount(54.5), Infinity, 'after a ramp down to 0 nothing more is published');
    assert.equal(rateCurveOf({ publishRate: 1, stages: [{ durationMs: 1000, clients: 1 }] }), null);
  });
});

describe('churn', () => {
  const churned = (churn: unknown, c: Record<string, unknown> = { count: 100, publishers: 10, rampUp: '2s' }) =>
    parseScenario({ name: 't', duration: '12s', clients: c, churn }, 't').clients;

  test('rate 5/s from the end of the ramp: 5 leaves and 5 fresh joins every second, publishers stay', () => {
    const spec = churned({ rate: '5/s' });
    assert.deepEqual(spec.churn, { ratePerSecond: 5, fromMs: 2000, untilMs: 12_000 });
    const plans = planClients(spec, 3, 1, 'r');
    const leaves = plans.filter((p) => p.leaveOffsetMs !== undefined);
    const joins = plans.slice(100);
    assert.equal(leaves.length, 50);
    assert.equal(joins.length, 50);
    for (let s = 2; s < 12; s++) {
      assert.equal(leaves.filter((p) => Math.floor(p.leaveOffsetMs! / 1000) === s).length, 5, `leaves in second ${s}`);
      assert.equal(joins.filter((p) => Math.floor(p.startOffsetMs / 1000) === s).length, 5, `joins in second ${s}`);
    }
    assert.ok(leaves.every((p) => p.publishChannel === null), 'publishers stay');
    assert.equal(new Set(plans.map((p) => p.id)).size, 150, 'every joiner is a new client');
    assert.deepEqual(joins[0].channels, plans[10].channels, 'the first joiner takes the first leaver’s channels');
  });

  test('refusals name the field', () => {
    const message = (churn: unknown, c?: Record<string, unknown>) => { try { churned(churn, c); } catch (e) { return (e as Error).message; } return ''; };
    assert.match(message({ rate: '0/s' }), /churn\.rate: "0\/s" is not a positive rate$/);
    assert.match(message({ rate: '5/s', sessions: '10s' }), /churn\.sessions: unknown field$/);
    assert.match(message({ rate: '5/s' }, { count: 10, publishers: 10 }), /churn: has no subscribe-only client to replace$/);
  });

  test('session fields: each wrong one is named on its own line (exit 2), validate lists them all', () => {
    const lines = (churn: unknown): string[] => {
      try { churned(churn); } catch (e) {
        assert.ok(e instanceof UserError);
        assert.equal(e.exitCode, 2);
        return e.lines();
      }
      return [];
    };
    const one = (churn: unknown, field: string, problem: RegExp) => {
      const got = lines(churn);
      assert.equal(got.length, 1, got.join('\n'));
      assert.ok(got[0].includes(`: ${field}: `), got[0]);
      assert.match(got[0], problem);
    };
    const session = (s: Record<string, unknown>) => ({ rate: '5/s', session: s });
    one(session({ mean: '10s' }), 'churn.session.distribution', /is required/);
    one(session({ distribution: 'gaussian', mean: '10s' }), 'churn.session.distribution', /"gaussian" is not one of fixed, exponential, uniform, lognormal/);
    one(session({ distribution: 'exponential' }), 'churn.session.mean', /is required/);
    one(session({ distribution: 'exponential', mean: '0s' }), 'churn.session.mean', /is not a positive duration/);
    one(session({ distribution: 'exponential', mean: 'long' }), 'churn.session.mean', /long/);
    one(session({ distribution: 'fixed', mean: '10s', sigma: 1 }), 'churn.session.sigma', /only for distribution lognormal/);
    one(session({ distribution: 'lognormal', mean: '10s', sigma: 0 }), 'churn.session.sigma', /is 0/);
    one(session({ distribution: 'lognormal', mean: '10s', sigma: 7 }), 'churn.session.sigma', /7/);
    one(session({ distribution: 'exponential', mean: '10s', min: '1s' }), 'churn.session.min', /only for distribution uniform/);
    one(session({ distribution: 'uniform', min: '5s' }), 'churn.session.max', /required with the other bound/);
    one(session({ distribution: 'uniform', min: '5s', max: '2s' }), 'churn.session.max', /not more than min/);
    one(session({ distribution: 'uniform', mean: '5s', min: '1s', max: '9s' }), 'churn.session.mean', /given with min and max/);
    one(session({ distribution: 'fixed', mean: '10s', shape: 2 }), 'churn.session.shape', /unknown field/);
    one({ ...session({ distribution: 'fixed', mean: '10s' }), arrivals: 'bursty' }, 'churn.arrivals', /not one of even, poisson/);
    one({ ...session({ distribution: 'fixed', mean: '10s' }), resume: 'yes' }, 'churn.resume', /not true or false/);
    one({ ...session({ distribution: 'fixed', mean: '10s' }), away: '2s' }, 'churn.away', /only for "resume: true"/);
    one({ rate: '5/s', resume: true }, 'churn.resume', /needs churn\.session/);
    one({ rate: '5/s', arrivals: 'poisson' }, 'churn.arrivals', /needs churn\.session/);
    // several wrong churn fields: every one is listed (validate prints them all)
    const all = lines({ rate: '0/s', session: { distribution: 'lognormal', mean: '-', sigma: -1 }, arrivals: 'x', resume: 3 });
    for (const field of ['churn.rate', 'churn.session.mean', 'churn.session.sigma', 'churn.arrivals', 'churn.resume']) {
      assert.ok(all.some((l) => l.includes(`: ${field}: `)), `${field} in\n${all.join('\n')}`);
    }
    assert.throws(() => parseScenario({ name: 't', duration: '12s', clients: { count: 100, publishers: 10, rampUp: '2s' }, cluster: { resume: 'none' },
      churn: { rate: '5/s', session: { distribution: 'fixed', mean: '10s' }, resume: true } }, 't'), /churn\.resume: true needs a target that resumes/);
  });

  test('session specs are normalised: uniform bounds from the mean, lognormal sigma 1, even arrivals, away 1s with resume', () => {
    assert.deepEqual(churned({ rate: '5/s', session: { distribution: 'uniform', mean: '10s' } }).churn,
      { ratePerSecond: 5, fromMs: 2000, untilMs: 12_000, session: { distribution: 'uniform', meanMs: 10_000, minMs: 5000, maxMs: 15_000 }, arrivals: 'even', resume: false });
    assert.deepEqual(churned({ rate: '5/s', session: { distribution: 'uniform', min: '2s', max: '4s' }, arrivals: 'poisson' }).churn?.session,
      { distribution: 'uniform', meanMs: 3000, minMs: 2000, maxMs: 4000 });
    assert.deepEqual(churned({ rate: '5/s', session: { distribution: 'lognormal', mean: '10s' }, resume: true }).churn,
      { ratePerSecond: 5, fromMs: 2000, untilMs: 12_000, session: { distribution: 'lognormal', meanMs: 10_000, sigma: 1 }, arrivals: 'even', resume: true, awayMs: 1000 });
  });
});
