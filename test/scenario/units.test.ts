import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { UserError } from '../../src/util/errors';
import { formatDuration, parseDuration, parseRate } from '../../src/scenario/units';

function refuses(read: () => unknown, message: string, hint?: string | RegExp): void {
  assert.throws(read, (e: unknown) => {
    assert.ok(e instanceof UserError, `expected UserError, got ${String(e)}`);
    assert.equal(e.exitCode, 2);
    assert.equal(e.message, message);
    if (hint instanceof RegExp) assert.match(e.hint ?? '', hint);
    else if (hint !== undefined) assert.equal(e.hint, hint);
    assert.ok(!e.oneLine().includes('\n'));
    return true;
  });
}

describe('parseDuration', () => {
  test('reads ms, s, m, h, fractions and compounds into milliseconds', () => {
    assert.equal(parseDuration('250ms', 'f'), 250);
    assert.equal(parseDuration('10s', 'f'), 10_000);
    assert.equal(parseDuration('2m', 'f'), 120_000);
    assert.equal(parseDuration('1h', 'f'), 3_600_000);
    assert.equal(parseDuration('1.5s', 'f'), 1500);
    assert.equal(parseDuration('.5s', 'f'), 500);
    assert.equal(parseDuration('0s', 'f'), 0);
    assert.equal(parseDuration('1m30s', 'f'), 90_000);
    assert.equal(parseDuration(' 3s ', 'f'), 3000);
  });

  test('a bare number is refused, naming the field and hinting the unit', () => {
    refuses(() => parseDuration(10, 'clients.rampUp'), 'clients.rampUp: 10 has no unit', 'write "10s" or "10ms"');
    refuses(() => parseDuration('10', 'drain'), 'drain: "10" has no unit', 'write "10s" or "10ms"');
    refuses(() => parseDuration(0, 'drain'), 'drain: 0 has no unit', 'write "0s" or "0ms"');
  });

  test('negative, unknown units and other types are refused', () => {
    refuses(() => parseDuration('-5s', 'recovery'), 'recovery: "-5s" is not a duration', 'durations cannot be negative');
    refuses(() => parseDuration(-5, 'recovery'), 'recovery: -5 is not a duration', 'durations cannot be negative');
    refuses(() => parseDuration('5 sec', 'duration'), 'duration: "5 sec" is not a duration', /"250ms", "10s"/);
    refuses(() => parseDuration('5d', 'duration'), 'duration: "5d" is not a duration');
    refuses(() => parseDuration('', 'duration'), 'duration: "" is not a duration');
    refuses(() => parseDuration(true, 'duration'), 'duration: true is not a duration');
    refuses(() => parseDuration('s', 'duration'), 'duration: "s" is not a duration');
  });

  test('formatDuration writes the shortest exact form', () => {
    assert.equal(formatDuration(250), '250ms');
    assert.equal(formatDuration(1500), '1.5s');
    assert.equal(formatDuration(60_000), '1m');
    assert.equal(formatDuration(3_600_000), '1h');
    assert.equal(formatDuration(0), '0ms');
  });
});

describe('parseRate', () => {
  test('reads per second, per minute, per hour and per N units', () => {
    assert.equal(parseRate('5/s', 'f'), 5);
    assert.equal(parseRate('300/m', 'f'), 5);
    assert.equal(parseRate('0.5/s', 'f'), 0.5);
    assert.equal(parseRate('3600/h', 'f'), 1);
    assert.equal(parseRate('1/10s', 'f'), 0.1);
    assert.equal(parseRate('1/250ms', 'f'), 4);
    assert.equal(parseRate('0/s', 'f'), 0);
    assert.equal(parseRate(' 2 / s ', 'f'), 2);
  });

  test('negative, zero-denominator and unit-less rates are refused naming the field', () => {
    refuses(() => parseRate('-5/s', 'clients.publishRate'), 'clients.publishRate: "-5/s" is not a rate', 'write it like "5/s"');
    refuses(() => parseRate('5/0s', 'clients.publishRate'), 'clients.publishRate: "5/0s" divides by zero time', 'write it like "5/s"');
    refuses(() => parseRate(5, 'clients.publishRate'), 'clients.publishRate: 5 has no time unit', 'write "5/s"');
    refuses(() => parseRate('5', 'clients.publishRate'), 'clients.publishRate: "5" is not a rate', 'write it like "5/s"');
    refuses(() => parseRate('5/d', 'clients.publishRate'), 'clients.publishRate: "5/d" is not a rate', /"300\/m"/);
    refuses(() => parseRate('five/s', 'clients.publishRate'), 'clients.publishRate: "five/s" is not a rate');
  });
});
