// Finding 12: a duration beyond what a Node timer holds (2^31 − 1 ms) used to fire after 1 ms,
// so "duration: 600h" ran about a second and published nothing. Every duration a timer waits
// for is refused, naming the field (LIMITS.durationMs, 7 days, is well below the timer limit).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario } from '../../src/scenario/parse';
import { refuses, scenarioWith } from './support';
import { LIMITS } from '../../src/scenario/limits';

const TOO_LONG = '600h';
const problem = `"${TOO_LONG}" is longer than 168h`;

describe('durations a timer cannot hold', () => {
  test('duration, drain, recovery and rampUp are refused, naming the field (exit 2)', () => {
    refuses(scenarioWith({ duration: TOO_LONG }), `duration: ${problem}`);
    refuses(scenarioWith({ drain: TOO_LONG }), `drain: ${problem}`);
    refuses(scenarioWith({ recovery: TOO_LONG }), `recovery: ${problem}`);
    refuses(scenarioWith({ clients: { rampUp: TOO_LONG } }), `clients.rampUp: ${problem}`);
    refuses(scenarioWith({ clients: { heartbeat: { interval: TOO_LONG } } }), `clients.heartbeat.interval: ${problem}`);
  });

  test('fault at, for and restartAfter are refused, naming the field', () => {
    refuses(scenarioWith({ faults: [{ at: TOO_LONG, target: 'clients:node-1', action: 'down' }] }), `faults[0].at: ${problem}`);
    refuses(scenarioWith({ faults: [{ at: '1s', for: TOO_LONG, target: 'clients:node-1', action: 'down' }] }), `faults[0].for: ${problem}`);
    refuses(scenarioWith({ faults: [{ at: '1s', target: 'node:node-1', action: 'kill', restartAfter: TOO_LONG }] }), `faults[0].restartAfter: ${problem}`);
  });

  test('the limit stays below what a timer holds', () => {
    assert.ok(LIMITS.durationMs <= 2 ** 31 - 1);
    assert.equal(parseScenario(scenarioWith({ duration: '168h' }), 't.yaml').durationMs, LIMITS.durationMs);
  });
});
